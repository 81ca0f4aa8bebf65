from infra.migrate import run_migrations
from services.goals.models import Base
import services.goals.customer_goals.models  # noqa: F401,E402 (the customer goals' tables, same metadata)

run_migrations(Base.metadata)
