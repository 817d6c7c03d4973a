from tests.relationships.conftest import api, budi, siti  # noqa: F401 - shared fixtures
