"""The chained recorders still pass the library's own application-recorder tests.

They extend protected members of eventsourcing's recorders (pinned in pyproject.toml): the
library's test case is the contract they must keep, and after each of its tests the chain
written beside its events must verify.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from tracker import storage
from tracker.integrity import ChainedPostgresRecorder, ChainedRecorder, ChainedSQLiteRecorder
from tracker.verification import verify


class _Verified:
    """After each test, every event the library's test wrote has an unbroken chain."""

    made: list[ChainedRecorder]

    def setUp(self) -> None:
        self.made = []

    def tearDown(self) -> None:
        for recorder in self.made:
            verdict = verify(recorder)
            assert verdict.intact, verdict
            recorder.datastore.close()

    # These two only print timings: the benchmarks measure writes (make bench).
    test_performance = None
    test_concurrent_throughput = None


class TestChainedSQLiteRecorder(_Verified, ApplicationRecorderTestCase[ChainedSQLiteRecorder]):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def create_recorder(self) -> ChainedSQLiteRecorder:
        datastore = SQLiteDatastore(str(self.folder / f"events{len(self.made)}.sqlite3"))
        recorder = ChainedSQLiteRecorder(datastore)
        recorder.create_table()
        self.made.append(recorder)
        return recorder


@pytest.mark.postgres
class TestChainedPostgresRecorder(_Verified, ApplicationRecorderTestCase[ChainedPostgresRecorder]):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_url: str, tmp_path: Path) -> None:
        self.store = storage.parse(postgres_url, base=tmp_path)
        storage.prepare(self.store)

    def create_recorder(self) -> ChainedPostgresRecorder:
        params = storage.connection_params(self.store)
        datastore = PostgresDatastore(
            str(params["dbname"]), str(params["host"]), params["port"], str(params["user"]),
            str(params["password"]), schema=self.store.schema, pool_size=12, max_overflow=0,
        )  # fmt: skip
        recorder = ChainedPostgresRecorder(datastore, events_table_name=f"t{len(self.made)}_events")
        recorder.create_table()
        self.made.append(recorder)
        return recorder
