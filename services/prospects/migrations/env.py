from infra.migrate import run_migrations
from services.prospects.models import Base

run_migrations(Base.metadata)
