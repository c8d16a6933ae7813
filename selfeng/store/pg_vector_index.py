"""The PostgreSQL store's approximate-nearest-neighbour index over tool vectors: none while a vector size
has fewer than IVF_MIN_VECTORS vectors (the store then scans exactly), then an ivfflat index built and
re-trained in the background of registrations, with CONCURRENTLY builds that other processes never wait for.

The store (`postgres.PostgresStore`) owns one `IvfflatIndex`: it reports each commit's new vectors
(`count`) and asks, per search, how many lists the index it may use has (`lists`), 0 meaning "search
exactly". Everything about when to build, how many lists, and how many of them to probe lives here.
"""
from __future__ import annotations

import logging
import math
import re
import threading
import time

import numpy as np

log = logging.getLogger(__name__)

# How tool vectors are searched, chosen with benchmarks/bench_stores.py (docs/stores.md has the tables).
# Below IVF_MIN_VECTORS vectors of one size the search is EXACT: a sequential scan ordered by inner
# product (every embedder's vectors are L2-normalised, so that is cosine, ranked as the numpy index
# ranks), so recall is exact search's by construction, and there is no index to keep up. pgvector 0.6.2
# (pgserver's) spends ~1 us per 384-d vector here (a serial float loop and the row overhead): ~9 ms for
# 3,000 tools (9,000 view vectors), 27-30 ms for 10,000, which misses the 15 ms target; parallel workers
# did not help on 2 cores. So from IVF_MIN_VECTORS on, an ivfflat index (a list per IVF_VECTORS_PER_LIST
# vectors) probing three tenths of its lists, re-trained whenever the library has grown by half: at 10,000
# tools 7-9 ms on a quiet machine, recall@1 equal to exact search on the retrieval set in two trainings
# out of two (a fifth probed, 4.7 ms, missed 1 of 133 in one training of four: k-means starts at random).
# Not HNSW: with m=32, ef_construction=128 it missed 2 of the retrieval set's 133 requests at
# ef_search=400 and 1 even at pgvector's maximum ef_search=1000 (those tools are a small cluster beside 10,000 others that the greedy
# graph search does not always reach), and each HNSW insert rewires the graph: 5-60 ms a registration,
# ~1 ms with ivfflat (one nearest centroid). Re-ranking an index's top-N exactly would not help:
# pgvector's distances are exact already; what an index loses is the tool it never visits. Fewer lists
# recall less (30 lists at 3,000 tools, a fifth probed: 0.985), which is why the index waits for
# 20,000 vectors (~6,700 tools), where the exact scan passes ~20 ms.
IVF_MIN_VECTORS = 20_000
IVF_VECTORS_PER_LIST = 300          # pgvector's advice is rows / 1000; more lists, each probed list smaller
IVF_PROBE_FRACTION = 0.3
IVF_RETRAIN_GROWTH = 1.5            # re-train when the lists it would have are 1.5 times the index's
# HNSW's parameters, kept for the benchmark's comparison rows only.
HNSW_PARAMS = "WITH (m = 32, ef_construction = 128)"
EF_SEARCH = 400
_INDEX_LOCK = 0x5E1FE27             # advisory lock id: "selfeng ANN index builds"


class IvfflatIndex:
    """When and how the ivfflat index over `tool_embeddings` is built, for one store's connection URL.

    Its counts are this process's estimate (other processes register too); they only decide when to look
    at the table again, and the look itself counts the rows."""

    def __init__(self, url: str, psycopg, min_vectors: int = IVF_MIN_VECTORS):
        self.url = url
        self._psycopg = psycopg
        self.min_vectors = min_vectors
        self._lock = threading.Lock()
        self._vector_counts: dict[int, int] = {}     # this process's estimate, per vector size
        self._check_at: dict[int, int] = {}          # the estimate at which the index is next looked at
        self._seen: dict[int, tuple[int, float]] = {}  # per size: (lists of the ivfflat index or 0, when read)

    @staticmethod
    def lists_for(n: int) -> int:
        return max(10, n // IVF_VECTORS_PER_LIST)

    @staticmethod
    def retrain_at(lists: int) -> int:
        """The vector count at which an index of `lists` lists is re-trained."""
        return math.ceil(IVF_RETRAIN_GROWTH * lists) * IVF_VECTORS_PER_LIST

    @staticmethod
    def probes(lists: int) -> int:
        return max(1, math.ceil(lists * IVF_PROBE_FRACTION))

    def count(self, views: dict[str, np.ndarray]) -> None:
        """After a commit: count the new vectors; look at the index when the estimate reaches the next
        check (the first write of each size in this process, the threshold, each doubling)."""
        for dim in {int(np.asarray(v).shape[-1]) for v in views.values()}:
            with self._lock:
                self._vector_counts[dim] = self._vector_counts.get(dim, 0) + len(views)
                due = self._vector_counts[dim] >= self._check_at.get(dim, 0)
            if due:
                try:
                    self.maintain(dim)
                except self._psycopg.Error as exc:  # the search stays correct without it (exact or older)
                    log.warning("could not update the vector index for size %d: %s", dim, exc)

    @staticmethod
    def existing(c, dim: int) -> list[tuple[str, int, bool]]:
        """(name, lists, valid) of this schema's ivfflat indexes for vectors of `dim`."""
        rows = c.execute(
            "SELECT ic.relname, i.indisvalid FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = 'tool_embeddings' "
            "AND t.relnamespace = current_schema()::regnamespace AND ic.relname LIKE %s",
            (f"tool\\_embeddings\\_ivf\\_{dim}\\_%",)).fetchall()
        out = []
        for name, valid in rows:
            m = re.fullmatch(rf"tool_embeddings_ivf_{dim}_(\d+)", name)
            if m:
                out.append((name, int(m.group(1)), bool(valid)))
        return out

    def maintain(self, dim: int) -> str | None:
        """Build the ivfflat index for vectors of `dim` once there are `min_vectors` of them, and re-train
        it (a new index with more lists, then the old one dropped) when they have grown by half since.
        CONCURRENTLY: other processes keep registering and searching meanwhile (exactly, or on the old
        index). One process builds at a time; a build killed half-way leaves an invalid index, which the
        next one drops. Returns the name of the index built, or None."""
        with self._psycopg.connect(self.url, autocommit=True) as c:
            n = c.execute("SELECT COUNT(*) FROM tool_embeddings WHERE dim = %s", (dim,)).fetchone()[0]
            current = max((ix for ix in self.existing(c, dim) if ix[2]), key=lambda ix: ix[1], default=None)
            lists = self.lists_for(n)
            with self._lock:
                self._vector_counts[dim] = n
                # next look: at the threshold, or when the library has grown by half since the index
                self._check_at[dim] = (max(self.min_vectors, self.retrain_at(current[1]))
                                       if current else self.min_vectors)
            if n < self.min_vectors or (current is not None and lists < IVF_RETRAIN_GROWTH * current[1]):
                return None
            if not c.execute("SELECT pg_try_advisory_lock(%s, %s)", (_INDEX_LOCK, dim)).fetchone()[0]:
                return None  # another process is building it
            try:
                name = self._build(c, dim, n, lists, current)
            finally:
                c.execute("SELECT pg_advisory_unlock(%s, %s)", (_INDEX_LOCK, dim))
            with self._lock:
                self._check_at[dim] = self.retrain_at(lists)
                self._seen[dim] = (lists, time.monotonic())
            return name

    def _build(self, c, dim: int, n: int, lists: int, current: tuple[str, int, bool] | None) -> str:
        for name, _, valid in self.existing(c, dim):
            if not valid:
                c.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
        name = f"tool_embeddings_ivf_{dim}_{lists}"
        t0 = time.perf_counter()
        c.execute("SET maintenance_work_mem = '512MB'")
        c.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON tool_embeddings USING ivfflat '
                  f"((embedding::vector({dim})) vector_cosine_ops) WITH (lists = {lists}) WHERE dim = {dim}")
        if current is not None and current[0] != name:
            c.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{current[0]}"')
        c.execute("ANALYZE tool_embeddings")  # the planner's row counts, so it picks the index
        log.info("built %s over %d vectors in %.1f s", name, n, time.perf_counter() - t0)
        return name

    def lists(self, c, dim: int) -> int:
        """Lists of the valid ivfflat index searched for `dim` (0: none, search exactly); re-read every
        30 s, so an index another process built is used soon after."""
        lists, seen = self._seen.get(dim, (0, -1e9))
        if time.monotonic() - seen > 30:
            lists = max((ix[1] for ix in self.existing(c, dim) if ix[2]), default=0)
            self._seen[dim] = (lists, time.monotonic())
        return lists

    def forget(self) -> None:
        """Drop what this process remembers of the index (after someone dropped it under us)."""
        self._seen.clear()
