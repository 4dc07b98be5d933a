"""Similar questions by meaning: an optional sentence-embedding model, the questions' vectors
kept in the database, and the nearest ones found by cosine similarity in numpy.

Off unless HEARTH_SEMANTIC_MODEL_PATH names a model folder and the `semantic` extra is
installed (`pip install "hearth-community[semantic]"`). The model is only ever read from that
folder, never downloaded: the Hugging Face libraries are told they are offline before they
are imported, and the model is opened with `local_files_only`.

Every process keeps the vectors of one model in memory (a float32 matrix, 1.5 KB a question)
and checks with one small query per lookup whether any changed since it loaded them; a
community of 100,000 questions needs about 150 MB. Only what is new is read again, and
everything once every RELOAD_SECONDS (deleted or moved questions).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import functools
import hashlib
import importlib.util
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.models import Max

logger = logging.getLogger(__name__)

# What a question's vector is made of: its title, then the start of its opening post.
BODY_CHARS = 300
# Below this cosine similarity a question is not suggested on meaning alone.
MIN_SIMILARITY = 0.35
# Everything is read again at least this often (questions deleted or moved since).
RELOAD_SECONDS = 300.0
# Vectors of the most recent titles typed, so a repeated lookup skips the model.
QUERY_CACHE_SIZE = 256
ENCODE_BATCH = 32

_lock = threading.Lock()
_models: dict[str, object] = {}
_stores: dict[tuple[str, str], _Store] = {}
_queries: OrderedDict[tuple[str, str], object] = OrderedDict()
_warned: set[str] = set()


def model_path() -> str:
    return settings.HEARTH_SEMANTIC_MODEL_PATH or ""


def is_enabled() -> bool:
    """Whether a model is configured (HEARTH_SEMANTIC_MODEL_PATH); see `is_available`."""
    return bool(model_path())


@functools.cache
def extra_installed() -> bool:
    """Whether the `semantic` extra (sentence-transformers, numpy) is installed."""
    try:
        return all(importlib.util.find_spec(name) for name in ("sentence_transformers", "numpy"))
    except (ImportError, ValueError):
        return False


def unavailable_reason() -> str | None:
    """Why the semantic ranker cannot run here, or None when it can."""
    path = model_path()
    if not path:
        return "HEARTH_SEMANTIC_MODEL_PATH is not set."
    if not extra_installed():
        return (
            "HEARTH_SEMANTIC_MODEL_PATH is set but the semantic extra is not installed "
            '(pip install "hearth-community[semantic]").'
        )
    if not (Path(path) / "config.json").is_file():
        return f"HEARTH_SEMANTIC_MODEL_PATH={path} is not a model folder (no config.json)."
    return None


def is_available() -> bool:
    """Whether similar questions are ranked by meaning too. Logs once why not, if a model
    is configured but cannot be used."""
    reason = unavailable_reason()
    if reason and is_enabled() and reason not in _warned:
        _warned.add(reason)
        logger.warning("Semantic ranking of similar questions is off: %s", reason)
    return reason is None


def model_name() -> str:
    """The name vectors are stored under: HEARTH_SEMANTIC_MODEL_NAME, else the folder's name
    (with its parent's when the folder is just called "model")."""
    if settings.HEARTH_SEMANTIC_MODEL_NAME:
        return settings.HEARTH_SEMANTIC_MODEL_NAME[:200]
    path = Path(model_path()).resolve()
    name = f"{path.parent.name}/{path.name}" if path.name == "model" else path.name
    return name[:200]


def load_model():
    """The configured model, loaded once a process, from its folder only."""
    path = model_path()
    with _lock:
        if path not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            # A suggestion encodes one short title: one thread is as fast as several, and
            # the threads of many web processes would only fight over the cores.
            torch.set_num_threads(1)
            started = time.perf_counter()
            _models[path] = SentenceTransformer(path, device="cpu", local_files_only=True)
            logger.info(
                "Loaded the semantic model %s in %.1f s", path, time.perf_counter() - started
            )
        return _models[path]


def encode(texts: list[str]):
    """Unit-length float32 vectors for `texts`, one row each."""
    import numpy as np

    vectors = load_model().encode(
        texts,
        batch_size=ENCODE_BATCH,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


@contextlib.contextmanager
def all_cores():
    """Encode with every core meanwhile: for batches (`hearth embed`), where they help."""
    import torch

    load_model()
    before = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def question_text(title: str, body: str) -> str:
    """What a question's vector is computed from."""
    body = " ".join((body or "").split())[:BODY_CHARS]
    return f"{title.strip()}\n{body}".strip()


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def _query_vector(text: str):
    """The vector of a title a member typed (the last QUERY_CACHE_SIZE are remembered)."""
    key = (model_path(), text)
    with _lock:
        if key in _queries:
            _queries.move_to_end(key)
            return _queries[key]
    vector = encode([text])[0]
    vector.setflags(write=False)
    with _lock:
        _queries[key] = vector
        while len(_queries) > QUERY_CACHE_SIZE:
            _queries.popitem(last=False)
    return vector


# --- The vectors in memory ------------------------------------------------------------------


@dataclass
class _Store:
    """One model's vectors as a matrix, each row's topic and space alongside."""

    # The newest `updated_at` among the vectors read: a newer one means something to read.
    latest: datetime.datetime | None = None
    loaded_at: float = 0.0
    topic_ids: object = None
    space_ids: object = None
    matrix: object = None
    rows: dict[int, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return 0 if self.topic_ids is None else len(self.topic_ids)


def clear_caches() -> None:
    """Forget the vectors and query vectors held in memory (the model stays loaded)."""
    with _lock:
        _stores.clear()
        _queries.clear()


def _latest(model: str, using: str) -> datetime.datetime | None:
    """When the newest vector of `model` was written (one look-up in an index)."""
    from hearth.search.models import QuestionEmbedding

    return (
        QuestionEmbedding.objects.using(using)
        .filter(model=model)
        .aggregate(latest=Max("updated_at"))["latest"]
    )


def _rows(model: str, using: str, since=None):
    """The vectors of `model` (written after `since`) of questions that may be suggested:
    live, published questions. A question deleted, held or hidden keeps its vector (for
    when it is restored or published) but is not loaded."""
    import numpy as np

    from hearth.community.models import State, Topic
    from hearth.search.models import QuestionEmbedding

    rows = QuestionEmbedding.objects.using(using).filter(
        model=model,
        topic__kind=Topic.Kind.QUESTION,
        topic__deleted_at__isnull=True,
        topic__state=State.PUBLISHED,
    )
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    topic_ids, space_ids, vectors = [], [], []
    for topic_id, space_id, dimensions, vector in rows.values_list(
        "topic_id", "topic__space_id", "dimensions", "vector"
    ).iterator(chunk_size=2000):
        data = np.frombuffer(bytes(vector), dtype="<f4")
        if len(data) != dimensions:
            continue
        topic_ids.append(topic_id)
        space_ids.append(space_id)
        vectors.append(data)
    return topic_ids, space_ids, vectors


def _load(model: str, using: str, latest) -> _Store:
    import numpy as np

    topic_ids, space_ids, vectors = _rows(model, using)
    dimensions = len(vectors[0]) if vectors else 0
    kept = [n for n, vector in enumerate(vectors) if len(vector) == dimensions]
    store = _Store(latest=latest, loaded_at=time.monotonic())
    store.topic_ids = np.asarray([topic_ids[n] for n in kept], dtype=np.int64)
    store.space_ids = np.asarray([space_ids[n] for n in kept], dtype=np.int64)
    store.matrix = (
        np.vstack([vectors[n] for n in kept]).astype(np.float32, copy=False)
        if kept
        else np.zeros((0, 0), dtype=np.float32)
    )
    store.rows = {int(topic_id): n for n, topic_id in enumerate(store.topic_ids)}
    return store


def _update(store: _Store, model: str, using: str, latest) -> _Store:
    """The store with the vectors written since it was loaded (read anew if they do not fit)."""
    import numpy as np

    topic_ids, space_ids, vectors = _rows(model, using, since=store.latest)
    dimensions = store.matrix.shape[1] if store.size else None
    if not store.size or any(len(v) != dimensions for v in vectors):
        return _load(model, using, latest)
    matrix, topics, spaces = store.matrix.copy(), store.topic_ids.copy(), store.space_ids.copy()
    rows = dict(store.rows)
    added_topics, added_spaces, added_vectors = [], [], []
    for topic_id, space_id, vector in zip(topic_ids, space_ids, vectors, strict=True):
        if topic_id in rows:
            matrix[rows[topic_id]] = vector
            spaces[rows[topic_id]] = space_id
        else:
            rows[topic_id] = len(topics) + len(added_topics)
            added_topics.append(topic_id)
            added_spaces.append(space_id)
            added_vectors.append(vector)
    if added_vectors:
        matrix = np.vstack([matrix, np.vstack(added_vectors)]).astype(np.float32, copy=False)
        topics = np.concatenate([topics, np.asarray(added_topics, dtype=np.int64)])
        spaces = np.concatenate([spaces, np.asarray(added_spaces, dtype=np.int64)])
    return _Store(
        latest=latest,
        loaded_at=store.loaded_at,
        topic_ids=topics,
        space_ids=spaces,
        matrix=matrix,
        rows=rows,
    )


def _store(model: str, using: str = "default") -> _Store:
    """The vectors of `model`, brought up to date: one small query when nothing changed.

    Vectors written since the last look are read and merged in. Everything is read again
    every RELOAD_SECONDS, or when the newest vector is older than the one held (rows were
    deleted): that is how deleted questions and moved ones catch up, and a vector committed
    late with an older time too.
    """
    key = (str(connections[using].settings_dict.get("NAME") or using), model)
    latest = _latest(model, using)
    cached = _stores.get(key)
    fresh = cached is not None and time.monotonic() - cached.loaded_at < RELOAD_SECONDS
    if fresh and cached.latest == latest:
        return cached
    if fresh and cached.latest is not None and latest is not None and latest > cached.latest:
        store = _update(cached, model, using, latest)
    else:
        store = _load(model, using, latest)
    _stores[key] = store
    return store


def start_encoding(text: str):
    """Start computing the vector of `text` in the background (the CPU works on it while
    the database answers the lexical query); `nearest(..., vector=...)` takes the result."""
    return _encoder().submit(_query_vector, text)


@functools.cache
def _encoder():
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode")


def nearest(
    text: str,
    space_ids: tuple[int, ...],
    *,
    limit: int,
    exclude_ids: tuple[int, ...] = (),
    min_similarity: float = MIN_SIMILARITY,
    vector=None,
) -> list[tuple[int, float]]:
    """Questions in `space_ids` closest in meaning to `text`: (topic id, cosine), best first.

    Only questions whose vector is stored count (see `hearth embed`). The caller checks the
    topics against the tables: a question deleted since its vector was loaded may be here.
    `vector` is the title's vector when the caller has it already (see `start_encoding`).
    """
    import numpy as np

    store = _store(model_name())
    if not store.size or not space_ids or not text.strip():
        return []
    query = _query_vector(text) if vector is None else vector
    if query.shape[0] != store.matrix.shape[1]:
        return []
    scores = store.matrix @ query
    hidden = ~np.isin(store.space_ids, np.asarray(space_ids, dtype=np.int64))
    if exclude_ids:
        hidden |= np.isin(store.topic_ids, np.asarray(exclude_ids, dtype=np.int64))
    hidden |= scores < min_similarity
    scores = np.where(hidden, -np.inf, scores)
    count = min(limit, int((~hidden).sum()))
    if count <= 0:
        return []
    best = np.argpartition(-scores, count - 1)[:count]
    best = best[np.lexsort((-store.topic_ids[best], -scores[best]))]
    return [(int(store.topic_ids[n]), float(scores[n])) for n in best]
