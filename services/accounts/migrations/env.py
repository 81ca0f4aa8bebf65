from infra.migrate import run_migrations
from services.accounts.models import Base

run_migrations(Base.metadata)
