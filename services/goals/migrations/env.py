from infra.migrate import run_migrations
from services.goals.models import Base

run_migrations(Base.metadata)
