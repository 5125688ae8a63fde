"""One audit log for every admin action and every status change across the site.

Rows are only ever added (record); no route edits or deletes them.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # e.g. "order.status", "booking.status", "cooperative.approve", "rating.record"
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")


def record(actor_id: int | None, action: str, subject_type: str, subject_id, detail: str = ""):
    """Add an event to the current transaction (it commits with the change it describes)."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:2000],
    )
    db.session.add(event)
    return event
