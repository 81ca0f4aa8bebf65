from infra.migrate import run_migrations
from services.deals.models import Base

run_migrations(Base.metadata)
