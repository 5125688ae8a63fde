"""The OCOP programme office's own records: trainings and who came."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow


class Training(db.Model):
    """A training session of the plan (target: 100 % of cooperative leaders trained)."""

    __tablename__ = "trainings"
    __table_args__ = (CheckConstraint("taken >= 0 AND taken <= seats", name="seats_not_exceeded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200))
    day: Mapped[date]
    seats: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registrations = relationship("TrainingRegistration", back_populates="training")


class TrainingRegistration(db.Model):
    __tablename__ = "training_registrations"
    __table_args__ = (UniqueConstraint("training_id", "cooperative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    attendee: Mapped[str] = mapped_column(String(120))
    attended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    training = relationship("Training", back_populates="registrations")
    cooperative = relationship("Cooperative")
