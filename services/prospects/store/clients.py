"""Clients' onboarding checklists."""
from sqlalchemy import delete, select

from services.prospects.models import OnboardingStep


def steps_of(db, company_id):
    """{step key: done_at} of the steps done."""
    return dict(db.execute(select(OnboardingStep.step, OnboardingStep.done_at)
                           .where(OnboardingStep.company_id == company_id)).all())


def mark(db, company_id, step, done_at):
    row = db.get(OnboardingStep, (company_id, step))
    if row is None:
        db.add(OnboardingStep(company_id=company_id, step=step, done_at=done_at))
    else:
        row.done_at = done_at
    db.flush()


def unmark(db, company_id, step):
    db.execute(delete(OnboardingStep).where(OnboardingStep.company_id == company_id, OnboardingStep.step == step))
