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


def create_training(
    *, topic: str, trainer: str, place: str, day, seats: int, actor_id: int | None
) -> Training:
    """A new training session, recorded in the audit log (the form's one-time token makes
    one of a form sent twice: core.submissions)."""
    with write_transaction():
        training = Training(topic=topic, trainer=trainer, place=place, day=day, seats=seats)
        db.session.add(training)
        db.session.flush()
        audit.record(actor_id, "training.create", "training", training.id, training.topic)
    return training


def mark_attendance(registration_id: int, attended: bool, actor_id: int) -> bool:
    """Mark the cooperative present (or not); False when it already was so (the same click
    sent twice: the second waits for the first, on the locked row, and changes nothing)."""
    with write_transaction():
        registration = db.session.get(
            TrainingRegistration, registration_id, with_for_update=True, populate_existing=True
        )
        if registration.attended == attended:
            return False
        registration.attended = attended
        audit.record(
            actor_id, "training.attendance", "training_registration", registration.id,
            f"{registration.cooperative.name}: {'có mặt' if attended else 'vắng'}",
        )  # fmt: skip
    return True
