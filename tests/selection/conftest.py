from tests.relationships.conftest import api  # noqa: F401 - the API caller fixture
