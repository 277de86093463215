from ninja import NinjaAPI

from solhost.partners.api import router as partners_router
from solhost.region.api import router as region_router

api = NinjaAPI(
    title="solhost API",
    version="1",
    description="The region's public directory, and the API partners and tools use.",
    urls_namespace="api",
)
api.add_router("/", region_router)
api.add_router("/", partners_router)
