"""Trainings: seats taken atomically like every other capacity; attendance marked by the
office."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core import audit
from core.db import write_transaction
from core.extensions import db
from core.labels import N_
from core.notifications import Recipient, notify
from marketplace.models import Cooperative
from programme.models import Training, TrainingRegistration

# What the cooperative is told: event -> subject.
TRAINING_MESSAGES = {
    "training.registered": N_("Đã đăng ký lớp tập huấn: %(topic)s"),
    "training.reminder": N_("Nhắc lịch: lớp tập huấn %(topic)s ngày mai"),
}


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
            _tell_attendee(registration, "training.registered", "training_registered")
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


def _tell_attendee(registration: TrainingRegistration, event: str, template: str, **extra):
    owner = db.session.get(Cooperative, registration.cooperative_id).owner
    if owner is None:
        return []
    training = registration.training or db.session.get(Training, registration.training_id)
    return notify(
        event,
        Recipient.of(owner),
        template,
        _l(TRAINING_MESSAGES[event], topic=training.topic),
        training=training,
        registration=registration,
        **extra,
    )


def remind_attendees(day) -> int:
    """The day-before reminder to each cooperative registered for a training on `day`, once
    per registration however often it runs."""
    registrations = db.session.scalars(
        select(TrainingRegistration)
        .join(Training)
        .where(Training.day == day)
        .order_by(TrainingRegistration.id)
    ).all()
    return sum(
        len(
            _tell_attendee(
                registration,
                "training.reminder",
                "training_reminder",
                once_key=f"training.reminder:{registration.id}",
            )
        )
        for registration in registrations
    )
