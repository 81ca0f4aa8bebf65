from infra.migrate import run_migrations
from services.directory.models import Base

run_migrations(Base.metadata)
