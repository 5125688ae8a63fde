"""Trainings: seats taken atomically like every other capacity; attendance marked by the
office."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.db import write_transaction
from core.extensions import db
from programme.models import Training, TrainingRegistration


class TrainingError(ValueError):
    pass


class TrainingFull(TrainingError):
    pass


class AlreadyRegistered(TrainingError):
    pass


class TrainingPast(TrainingError):
    pass


def upcoming(today) -> list[Training]:
    return db.session.scalars(
        select(Training).where(Training.day >= today).order_by(Training.day)
    ).all()


def register(training_id: int, cooperative_id: int, attendee: str, today) -> TrainingRegistration:
    try:
        with write_transaction():
            training = db.session.get(Training, training_id)
            if training.day < today:
                raise TrainingPast()
            if db.session.scalar(
                select(TrainingRegistration.id).where(
                    TrainingRegistration.training_id == training_id,
                    TrainingRegistration.cooperative_id == cooperative_id,
                )
            ):
                raise AlreadyRegistered()
            taken = db.session.execute(
                update(Training)
                .where(Training.id == training_id, Training.taken < Training.seats)
                .values(taken=Training.taken + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                raise TrainingFull()
            registration = TrainingRegistration(
                training_id=training_id, cooperative_id=cooperative_id, attendee=attendee[:120]
            )
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        raise AlreadyRegistered() from None
    return registration


def mark_attendance(registration: TrainingRegistration, attended: bool, actor_id: int) -> None:
    registration.attended = attended
    audit.record(
        actor_id, "training.attendance", "training_registration", registration.id,
        f"{registration.cooperative.name}: {'có mặt' if attended else 'vắng'}",
    )  # fmt: skip
    db.session.commit()
