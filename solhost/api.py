from ninja import NinjaAPI

from solhost.contributions.api import router as contributions_router
from solhost.distribution.api import router as distribution_router
from solhost.energy.api import router as energy_router
from solhost.federation.api import router as federation_router
from solhost.governance.api import router as governance_router
from solhost.ledger.api import router as ledger_router
from solhost.metering.api import router as metering_router
from solhost.partners.api import router as partners_router
from solhost.probes.api import router as probes_router
from solhost.qualification.api import router as qualification_router
from solhost.residents.api import router as residents_router
from solhost.web.api import router as region_router
from solhost.winddown.api import router as winddown_router

# The input guard refuses a NUL in any path or query parameter (PostgreSQL cannot compare
# such text); the description says so, so a client reading it never sends one.
TEXT_WITHOUT_NUL = "^[^\\u0000]*$"


class SolhostAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    described = parameter.get("schema", {})
                    for option in [described, *described.get("anyOf", [])]:
                        if option.get("type") == "string" and "pattern" not in option:
                            option["pattern"] = TEXT_WITHOUT_NUL
        return schema


api = SolhostAPI(
    title="solhost API",
    version="1",
    description="The region's public directory, and the API partners and tools use.",
    urls_namespace="api",
)
api.add_router("/", region_router)
api.add_router("/", partners_router)
api.add_router("/", qualification_router)
api.add_router("/", energy_router)
api.add_router("/", metering_router)
api.add_router("/", ledger_router)
api.add_router("/", contributions_router)
api.add_router("/", distribution_router)
api.add_router("/", governance_router)
api.add_router("/", residents_router)
api.add_router("/", winddown_router)
api.add_router("/", probes_router)
api.add_router("/", federation_router)
