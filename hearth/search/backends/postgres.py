"""PostgreSQL backend: a weighted tsvector a live post, a GIN index, triggers that keep it.

`search_postdocument` holds one row a live post: its topic, space, author and time, and
`setweight(title, 'A') || setweight(body, 'B')` in English. The triggers on community_post
and community_topic insert, update and delete those rows as posts are written, edited,
moved, deleted or restored, so the code that writes posts does not know search exists.

Ranking every match of a very common word would read a large part of the table, so a search
ranks the CANDIDATES newest matches (see `_candidates_sql`), found in bounded work whatever
the words: first by walking the newest posts, then through older ranges of posts, each a
bitmap AND of the GIN index and the primary key.

`search_questiondocument` does the same for similar questions: one row a live question (see
QUESTION_TABLE below).

Migration 0001 installs SCHEMA, FUNCTIONS and TRIGGERS, 0002 the QUESTION_ ones; change them
with a new migration.
"""

# SQL here is put together from this module's constants and placeholders only; every value
# from a member travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import time

from django.db.backends.base.base import BaseDatabaseWrapper

from hearth.search.backends.base import (
    CANDIDATES,
    MARK_START,
    MARK_STOP,
    Hit,
    HitPage,
    ParsedQuery,
    SearchFilters,
    marked_html,
    plain_snippet,
)

INDEX_TABLE = "search_postdocument"
CONFIG = "'english'::regconfig"
# ts_rank_cd weights for D, C, B (body) and A (title).
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::real[]"
# The newest posts a search walks through; then WINDOWS ranges of post ids, each
# WINDOW_GROWTH times the one before, and all older posts. Each range a search reaches costs
# a look-up in the GIN index, so they grow fast.
WALK_POSTS = 8_000
WINDOW_GROWTH = 8
WINDOWS = 4
NEWEST_TTL_SECONDS = 60.0
_NEWEST: dict[str, tuple[float, int]] = {}
# ts_headline parses the text it marks up: long posts are cut to this many characters first.
HEADLINE_CHARS = 10_000
TITLE_HEADLINE = f'HighlightAll=true, StartSel="{MARK_START}", StopSel="{MARK_STOP}"'
BODY_HEADLINE = (
    f'StartSel="{MARK_START}", StopSel="{MARK_STOP}", MaxWords=35, MinWords=15, '
    'ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "'
)

SCHEMA = [
    # No parallel scans: starting workers costs more than a search does.
    f"""CREATE TABLE {INDEX_TABLE} (
        post_id bigint PRIMARY KEY,
        topic_id bigint NOT NULL,
        space_id bigint NOT NULL,
        author_id bigint NOT NULL,
        created_at timestamp with time zone NOT NULL,
        document tsvector NOT NULL
    ) WITH (parallel_workers = 0)""",
    f"CREATE INDEX search_postdocument_document ON {INDEX_TABLE} USING gin (document)",
    f"CREATE INDEX search_postdocument_topic ON {INDEX_TABLE} (topic_id)",
]

_COLUMNS = "post_id, topic_id, space_id, author_id, created_at, document"
# What the index holds: posts, live and published, of live, published topics. Held and hidden
# posts (and topics) leave it, and come back when published: searches need not look at the
# posts table for each match.
_LIVE = """p.deleted_at IS NULL AND t.deleted_at IS NULL
      AND p.state = 'published' AND t.state = 'published'"""
_UPSERT = f"""
    ON CONFLICT (post_id) DO UPDATE SET
        topic_id = EXCLUDED.topic_id,
        space_id = EXCLUDED.space_id,
        author_id = EXCLUDED.author_id,
        created_at = EXCLUDED.created_at,
        document = EXCLUDED.document
    WHERE ({INDEX_TABLE}.topic_id, {INDEX_TABLE}.space_id, {INDEX_TABLE}.author_id,
           {INDEX_TABLE}.created_at, {INDEX_TABLE}.document)
        IS DISTINCT FROM (EXCLUDED.topic_id, EXCLUDED.space_id, EXCLUDED.author_id,
                          EXCLUDED.created_at, EXCLUDED.document)
"""

FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION search_document(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector({CONFIG}, coalesce(title, '')), 'A')
            || setweight(to_tsvector({CONFIG}, coalesce(body, '')), 'B')
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_index_topic(the_topic_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {INDEX_TABLE} AS d WHERE d.topic_id = the_topic_id AND NOT EXISTS (
            SELECT 1 FROM community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
            WHERE p.id = d.post_id AND p.topic_id = the_topic_id AND {_LIVE}
        );
        INSERT INTO {INDEX_TABLE} ({_COLUMNS})
        SELECT p.id, p.topic_id, t.space_id, p.author_id, p.created_at,
               search_document(t.title, p.body)
        FROM community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
        WHERE p.topic_id = the_topic_id AND {_LIVE}
        {_UPSERT};
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_post_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        topic record;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {INDEX_TABLE} WHERE post_id = OLD.id;
            RETURN NULL;
        END IF;
        SELECT t.title, t.space_id, t.deleted_at, t.state INTO topic
        FROM community_topic AS t WHERE t.id = NEW.topic_id;
        IF NEW.deleted_at IS NULL AND NEW.state = 'published' AND FOUND
                AND topic.deleted_at IS NULL AND topic.state = 'published' THEN
            INSERT INTO {INDEX_TABLE} ({_COLUMNS})
            VALUES (NEW.id, NEW.topic_id, topic.space_id, NEW.author_id, NEW.created_at,
                    search_document(topic.title, NEW.body))
            {_UPSERT};
        ELSE
            DELETE FROM {INDEX_TABLE} WHERE post_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_topic_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {INDEX_TABLE} WHERE topic_id = OLD.id;
        ELSIF NEW.deleted_at IS NOT NULL OR NEW.state <> 'published' THEN
            DELETE FROM {INDEX_TABLE} WHERE topic_id = NEW.id;
        ELSIF OLD.deleted_at IS NOT NULL OR OLD.state IS DISTINCT FROM NEW.state
                OR OLD.title IS DISTINCT FROM NEW.title THEN
            PERFORM search_index_topic(NEW.id);
        ELSIF OLD.space_id IS DISTINCT FROM NEW.space_id THEN
            UPDATE {INDEX_TABLE} SET space_id = NEW.space_id WHERE topic_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_posts_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {INDEX_TABLE};
        RETURN NULL;
    END
    $$""",
]

# name -> (table, statement)
TRIGGERS = {
    "search_post_inserted": (
        "community_post",
        """CREATE TRIGGER search_post_inserted AFTER INSERT ON community_post
        FOR EACH ROW EXECUTE FUNCTION search_post_changed()""",
    ),
    "search_post_updated": (
        "community_post",
        """CREATE TRIGGER search_post_updated
        AFTER UPDATE OF body, deleted_at, state, topic_id, author_id, created_at ON community_post
        FOR EACH ROW WHEN (
            OLD.body IS DISTINCT FROM NEW.body
            OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
            OR OLD.state IS DISTINCT FROM NEW.state
            OR OLD.topic_id IS DISTINCT FROM NEW.topic_id
            OR OLD.author_id IS DISTINCT FROM NEW.author_id
            OR OLD.created_at IS DISTINCT FROM NEW.created_at
        ) EXECUTE FUNCTION search_post_changed()""",
    ),
    "search_post_deleted": (
        "community_post",
        """CREATE TRIGGER search_post_deleted AFTER DELETE ON community_post
        FOR EACH ROW EXECUTE FUNCTION search_post_changed()""",
    ),
    "search_posts_truncated": (
        "community_post",
        """CREATE TRIGGER search_posts_truncated AFTER TRUNCATE ON community_post
        FOR EACH STATEMENT EXECUTE FUNCTION search_posts_truncated()""",
    ),
    "search_topic_updated": (
        "community_topic",
        """CREATE TRIGGER search_topic_updated
        AFTER UPDATE OF title, space_id, deleted_at, state ON community_topic
        FOR EACH ROW WHEN (
            OLD.title IS DISTINCT FROM NEW.title
            OR OLD.space_id IS DISTINCT FROM NEW.space_id
            OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
            OR OLD.state IS DISTINCT FROM NEW.state
        ) EXECUTE FUNCTION search_topic_changed()""",
    ),
    "search_topic_deleted": (
        "community_topic",
        """CREATE TRIGGER search_topic_deleted AFTER DELETE ON community_topic
        FOR EACH ROW EXECUTE FUNCTION search_topic_changed()""",
    ),
}

_FUNCTION_NAMES = [
    "search_posts_truncated()",
    "search_topic_changed()",
    "search_post_changed()",
    "search_index_topic(bigint)",
    "search_document(text, text)",
]

_LIVE_POSTS = f"""
    SELECT p.id, p.topic_id, t.space_id, p.author_id, p.created_at,
           search_document(t.title, p.body)
    FROM community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
    WHERE {_LIVE}
"""


# --- Similar questions --------------------------------------------------------------------
# `search_questiondocument` holds one row a live question: its title (weight A) and the start
# of its opening post (weight B). Finding similar questions ranks whole questions, and in
# search_postdocument every reply repeats its topic's title, so a common title word would
# match every post of every topic that has it; this table has a row a question instead.
QUESTION_TABLE = "search_questiondocument"
# Longer opening posts are cut here: their start says what the question is about.
QUESTION_BODY_CHARS = 4_000
# Each word's ts_rank_cd is taken as rank / (rank + 1) (normalization 32): a word said
# three times counts less than three words, as bm25's saturation has it.
SIMILAR_NORMALIZATION = 32
# How many candidates each tier of a similar-questions query may bring (see similar_topics).
SIMILAR_ALL_CANDIDATES = 100
SIMILAR_PAIR_CANDIDATES = 250
SIMILAR_ANY_CANDIDATES = 400
# Pairs of the first this-many words make the middle tier (28 pairs at most).
SIMILAR_PAIR_TERMS = 8
QUESTION_SCHEMA = [
    f"""CREATE TABLE {QUESTION_TABLE} (
        topic_id bigint PRIMARY KEY,
        space_id bigint NOT NULL,
        document tsvector NOT NULL
    ) WITH (parallel_workers = 0)""",
    f"CREATE INDEX search_questiondocument_document ON {QUESTION_TABLE} USING gin (document)",
]

_QUESTION_COLUMNS = "topic_id, space_id, document"
_LIVE_QUESTIONS = f"""
    SELECT t.id, t.space_id, search_document(t.title, left(p.body, {QUESTION_BODY_CHARS}))
    FROM community_topic AS t
    JOIN community_post AS p ON p.topic_id = t.id AND p.position = 1
    WHERE t.kind = 'question' AND t.deleted_at IS NULL AND p.deleted_at IS NULL
      AND t.state = 'published' AND p.state = 'published'
"""
_QUESTION_UPSERT = f"""
    ON CONFLICT (topic_id) DO UPDATE SET
        space_id = EXCLUDED.space_id,
        document = EXCLUDED.document
    WHERE ({QUESTION_TABLE}.space_id, {QUESTION_TABLE}.document)
        IS DISTINCT FROM (EXCLUDED.space_id, EXCLUDED.document)
"""

QUESTION_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION search_index_question(the_topic_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {QUESTION_TABLE} AS q WHERE q.topic_id = the_topic_id AND NOT EXISTS (
            {_LIVE_QUESTIONS} AND t.id = q.topic_id
        );
        INSERT INTO {QUESTION_TABLE} ({_QUESTION_COLUMNS})
        {_LIVE_QUESTIONS} AND t.id = the_topic_id
        {_QUESTION_UPSERT};
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_question_topic_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {QUESTION_TABLE} WHERE topic_id = OLD.id;
        ELSIF OLD.kind IS DISTINCT FROM NEW.kind OR OLD.title IS DISTINCT FROM NEW.title
                OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
                OR OLD.state IS DISTINCT FROM NEW.state THEN
            PERFORM search_index_question(NEW.id);
        ELSE
            UPDATE {QUESTION_TABLE} SET space_id = NEW.space_id WHERE topic_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE OR REPLACE FUNCTION search_question_post_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM search_index_question(OLD.topic_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.topic_id IS DISTINCT FROM OLD.topic_id)
        THEN
            PERFORM search_index_question(NEW.topic_id);
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_questions_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {QUESTION_TABLE};
        RETURN NULL;
    END
    $$""",
]

# name -> (table, statement). Only opening posts concern this index.
QUESTION_TRIGGERS = {
    "search_question_post_inserted": (
        "community_post",
        """CREATE TRIGGER search_question_post_inserted AFTER INSERT ON community_post
        FOR EACH ROW WHEN (NEW.position = 1) EXECUTE FUNCTION search_question_post_changed()""",
    ),
    "search_question_post_updated": (
        "community_post",
        """CREATE TRIGGER search_question_post_updated
        AFTER UPDATE OF body, deleted_at, state, topic_id, position ON community_post
        FOR EACH ROW WHEN (
            (OLD.position = 1 OR NEW.position = 1) AND (
                OLD.body IS DISTINCT FROM NEW.body
                OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
                OR OLD.state IS DISTINCT FROM NEW.state
                OR OLD.topic_id IS DISTINCT FROM NEW.topic_id
                OR OLD.position IS DISTINCT FROM NEW.position
            )
        ) EXECUTE FUNCTION search_question_post_changed()""",
    ),
    "search_question_post_deleted": (
        "community_post",
        """CREATE TRIGGER search_question_post_deleted AFTER DELETE ON community_post
        FOR EACH ROW WHEN (OLD.position = 1) EXECUTE FUNCTION search_question_post_changed()""",
    ),
    "search_questions_truncated": (
        "community_post",
        """CREATE TRIGGER search_questions_truncated AFTER TRUNCATE ON community_post
        FOR EACH STATEMENT EXECUTE FUNCTION search_questions_truncated()""",
    ),
    "search_question_topic_updated": (
        "community_topic",
        """CREATE TRIGGER search_question_topic_updated
        AFTER UPDATE OF kind, title, space_id, deleted_at, state ON community_topic
        FOR EACH ROW WHEN (
            OLD.kind IS DISTINCT FROM NEW.kind
            OR OLD.title IS DISTINCT FROM NEW.title
            OR OLD.space_id IS DISTINCT FROM NEW.space_id
            OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
            OR OLD.state IS DISTINCT FROM NEW.state
        ) EXECUTE FUNCTION search_question_topic_changed()""",
    ),
    "search_question_topic_deleted": (
        "community_topic",
        """CREATE TRIGGER search_question_topic_deleted AFTER DELETE ON community_topic
        FOR EACH ROW EXECUTE FUNCTION search_question_topic_changed()""",
    ),
}

_QUESTION_FUNCTION_NAMES = [
    "search_questions_truncated()",
    "search_question_post_changed()",
    "search_question_topic_changed()",
    "search_index_question(bigint)",
]


def _terms_tsquery(terms: tuple[str, ...], operator: str) -> tuple[str, list[str]]:
    """`plainto_tsquery(...) <operator> ...`, one parameter a word."""
    parts = [f"plainto_tsquery({CONFIG}, %s)" for _ in terms]
    return "(" + f" {operator} ".join(parts) + ")", list(terms)


def _pairs_tsquery(terms: tuple[str, ...]) -> tuple[str, list[str]]:
    """Matches a document that has at least two of the words."""
    words = terms[:SIMILAR_PAIR_TERMS]
    parts, params = [], []
    for i, first in enumerate(words):
        for second in words[i + 1 :]:
            parts.append(f"(plainto_tsquery({CONFIG}, %s) && plainto_tsquery({CONFIG}, %s))")
            params += [first, second]
    return "(" + " || ".join(parts) + ")", params


def tsquery_sql(query: ParsedQuery) -> tuple[str, list[str]]:
    """A tsquery expression for a parsed query, with its parameters (one for each term)."""
    params: list[str] = []

    def term_sql(term) -> str:
        params.append(term.text)
        function = "phraseto_tsquery" if term.is_phrase else "plainto_tsquery"
        return f"{function}({CONFIG}, %s)"

    groups = []
    for group in query.groups:
        parts = [term_sql(term) for term in group]
        groups.append(parts[0] if len(parts) == 1 else f"({' || '.join(parts)})")
    expression = " && ".join(groups)
    for term in query.excluded:
        expression = f"({expression}) && !!{term_sql(term)}"
    return f"({expression})", params


def _replace_triggers(cursor, functions: list[str], triggers: dict[str, tuple[str, str]]) -> None:
    """Drop `triggers`, (re)create `functions`, and create the triggers again."""
    for name, (table, _statement) in triggers.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for statement in functions:
        cursor.execute(statement)
    for _table, statement in triggers.values():
        cursor.execute(statement)


class PostgresBackend:
    vendor = "postgresql"
    label = "PostgreSQL full text"

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection

    # --- Installing ------------------------------------------------------------------------

    def is_installed(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [INDEX_TABLE])
            return cursor.fetchone()[0]

    def install(self) -> None:
        """Create the index table, its functions and triggers, and fill it from the posts."""
        with self.connection.cursor() as cursor:
            for statement in SCHEMA + FUNCTIONS:
                cursor.execute(statement)
            for _table, statement in TRIGGERS.values():
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {INDEX_TABLE} ({_COLUMNS}) {_LIVE_POSTS}")
            cursor.execute(f"ANALYZE {INDEX_TABLE}")

    def refresh(self) -> None:
        """Replace the index's functions and triggers with this version's, and drop the rows
        they would not keep (held and hidden posts and topics)."""
        with self.connection.cursor() as cursor:
            _replace_triggers(cursor, FUNCTIONS, TRIGGERS)
            cursor.execute(
                f"""DELETE FROM {INDEX_TABLE} AS d
                USING community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
                WHERE p.id = d.post_id AND NOT ({_LIVE})"""
            )

    def uninstall(self) -> None:
        with self.connection.cursor() as cursor:
            for name, (table, _statement) in TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            for signature in _FUNCTION_NAMES:
                cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")
            cursor.execute(f"DROP TABLE IF EXISTS {INDEX_TABLE}")

    def restore_triggers(self) -> list[str]:
        """Create whichever triggers are missing (and refresh the functions they call)."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                """SELECT tgname FROM pg_trigger
                WHERE tgrelid IN ('community_post'::regclass, 'community_topic'::regclass)
                  AND NOT tgisinternal"""
            )
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in TRIGGERS if name not in present]
            if missing:
                for statement in FUNCTIONS:
                    cursor.execute(statement)
                for name in missing:
                    cursor.execute(TRIGGERS[name][1])
        if self.questions_installed():
            with self.connection.cursor() as cursor:
                absent = [name for name in QUESTION_TRIGGERS if name not in present]
                if absent:
                    for statement in QUESTION_FUNCTIONS:
                        cursor.execute(statement)
                    for name in absent:
                        cursor.execute(QUESTION_TRIGGERS[name][1])
                missing += absent
        return missing

    # --- Rebuilding ------------------------------------------------------------------------

    def reindex_range(self, first_id: int, last_id: int) -> int:
        """Bring the rows of posts with ids in [first_id, last_id] up to date.

        Rows already right are left alone (no dead tuples when nothing changed); returns how
        many live posts the range holds.
        """
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"""DELETE FROM {INDEX_TABLE} AS d
                WHERE d.post_id BETWEEN %s AND %s AND NOT EXISTS (
                    SELECT 1 FROM community_post AS p
                    JOIN community_topic AS t ON t.id = p.topic_id
                    WHERE p.id = d.post_id AND {_LIVE}
                )""",
                [first_id, last_id],
            )
            cursor.execute(
                f"""WITH live AS ({_LIVE_POSTS} AND p.id BETWEEN %s AND %s),
                written AS (
                    INSERT INTO {INDEX_TABLE} ({_COLUMNS}) SELECT * FROM live {_UPSERT}
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM live), (SELECT count(*) FROM written)""",
                [first_id, last_id],
            )
            return cursor.fetchone()[0]

    def drop_below(self, first_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {INDEX_TABLE} WHERE post_id < %s", [first_id])

    def finish_reindex(self) -> None:
        with self.connection.cursor() as cursor:
            if self.connection.in_atomic_block:
                cursor.execute(f"ANALYZE {INDEX_TABLE}")
            else:
                # Outside a transaction: reclaim the rows the rebuild replaced, too.
                cursor.execute(f"VACUUM (ANALYZE) {INDEX_TABLE}")

    def indexed_count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {INDEX_TABLE}")
            return cursor.fetchone()[0]

    # --- The question index (similar questions) --------------------------------------------

    def questions_installed(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [QUESTION_TABLE])
            return cursor.fetchone()[0]

    def install_questions(self) -> None:
        """Create the question index, its functions and triggers, and fill it."""
        with self.connection.cursor() as cursor:
            for statement in QUESTION_SCHEMA + QUESTION_FUNCTIONS:
                cursor.execute(statement)
            for _table, statement in QUESTION_TRIGGERS.values():
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {QUESTION_TABLE} ({_QUESTION_COLUMNS}) {_LIVE_QUESTIONS}")
            cursor.execute(f"ANALYZE {QUESTION_TABLE}")

    def refresh_questions(self) -> None:
        """Replace the question index's functions and triggers with this version's, and bring
        its rows in line with them."""
        with self.connection.cursor() as cursor:
            _replace_triggers(cursor, QUESTION_FUNCTIONS, QUESTION_TRIGGERS)
        self.reindex_questions()

    def uninstall_questions(self) -> None:
        with self.connection.cursor() as cursor:
            for name, (table, _statement) in QUESTION_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            for signature in _QUESTION_FUNCTION_NAMES:
                cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")
            cursor.execute(f"DROP TABLE IF EXISTS {QUESTION_TABLE}")

    def reindex_questions(self) -> int:
        """Bring every question's row up to date; returns how many live questions there are."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"""DELETE FROM {QUESTION_TABLE} AS q WHERE NOT EXISTS (
                    {_LIVE_QUESTIONS} AND t.id = q.topic_id
                )"""
            )
            cursor.execute(
                f"""WITH live AS ({_LIVE_QUESTIONS}),
                written AS (
                    INSERT INTO {QUESTION_TABLE} ({_QUESTION_COLUMNS}) SELECT * FROM live
                    {_QUESTION_UPSERT}
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM live), (SELECT count(*) FROM written)"""
            )
            return cursor.fetchone()[0]

    def similar_topics(
        self,
        terms: tuple[str, ...],
        space_ids: tuple[int, ...],
        *,
        limit: int,
        exclude_ids: tuple[int, ...] = (),
    ) -> list[tuple[int, float]]:
        """Questions sharing words with `terms`, best first: (topic id, score) pairs.

        Any one word is enough to match (partial overlaps count). Each word's ts_rank_cd over
        the title (weight A) and the opening post (weight B), weighted by how rare the word
        is, adds up to the score: bm25's recipe with PostgreSQL's parts. Ranking every
        question that shares one common word with the title would read a large part of the
        table, so the candidates come in three bounded tiers: those with all the words, those
        with at least two, those with any. A tier is cut off at its bound only when that many
        questions match it, and the tiers of more words come first, so the closest questions
        are among the candidates. A tier that is cut keeps its oldest questions: the ones a
        new question repeats were asked before it (docs/decisions/0004).
        """
        if not terms or not space_ids:
            return []
        any_sql, any_params = _terms_tsquery(terms, "||")
        # The question index holds only live, published questions (its triggers see to it).
        conditions = "d.space_id = ANY(%s)"
        condition_params: list = [list(space_ids)]
        if exclude_ids:
            conditions += " AND NOT (d.topic_id = ANY(%s))"
            condition_params.append(list(exclude_ids))
        tiers = [(any_sql, any_params, SIMILAR_ANY_CANDIDATES)]
        if len(terms) > 1:
            all_sql, all_params = _terms_tsquery(terms, "&&")
            tiers.insert(0, (all_sql, all_params, SIMILAR_ALL_CANDIDATES))
        if len(terms) > 2:
            pairs_sql, pairs_params = _pairs_tsquery(terms)
            tiers.insert(1, (pairs_sql, pairs_params, SIMILAR_PAIR_CANDIDATES))
        branches, params = [], [list(terms)]
        for tsquery, tsquery_params, bound in tiers:
            branches.append(
                f"""(SELECT d.topic_id FROM {QUESTION_TABLE} AS d
                WHERE d.document @@ {tsquery} AND {conditions}
                ORDER BY d.topic_id LIMIT %s)"""
            )
            params += [*tsquery_params, *condition_params, bound]
        # A word's weight is its inverse document frequency, from the statistics ANALYZE
        # keeps of the column (the share of questions holding each common lexeme; a lexeme
        # not listed is rarer than the rarest listed). Without statistics, every word weighs 1.
        score = " + ".join(
            f"(SELECT idf FROM weights WHERE n = {n}) * ts_rank_cd({WEIGHTS}, d.document, "
            f"plainto_tsquery({CONFIG}, %s), {SIMILAR_NORMALIZATION})"
            for n in range(1, len(terms) + 1)
        )
        sql = f"""
            WITH stats AS (
                SELECT s.most_common_elems::text::text[] AS elems,
                       s.most_common_elem_freqs AS freqs
                FROM pg_stats AS s
                WHERE s.schemaname = current_schema() AND s.tablename = '{QUESTION_TABLE}'
                  AND s.attname = 'document' AND s.most_common_elems IS NOT NULL
            ),
            words AS (
                SELECT u.n, (tsvector_to_array(to_tsvector({CONFIG}, u.term)))[1] AS lexeme
                FROM unnest(%s::text[]) WITH ORDINALITY AS u (term, n)
            ),
            weights AS (
                SELECT words.n,
                       CASE WHEN stats.elems IS NULL THEN 1.0
                       ELSE ln(1.0 + (1.0 - share) / share) END AS idf
                FROM words
                LEFT JOIN stats ON true
                CROSS JOIN LATERAL (
                    SELECT greatest(least(coalesce(
                        stats.freqs[array_position(stats.elems, words.lexeme)],
                        stats.freqs[cardinality(stats.elems) + 1] / 2
                    ), 0.999999), 0.000001) AS share
                ) AS frequency
            ),
            candidates AS (
                SELECT DISTINCT topic_id FROM ({" UNION ALL ".join(branches)}) AS tiers
            )
            SELECT d.topic_id, {score} AS score
            FROM candidates JOIN {QUESTION_TABLE} AS d ON d.topic_id = candidates.topic_id
            ORDER BY score DESC, d.topic_id DESC
            LIMIT %s
        """
        params += [*terms, limit]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(topic_id, float(score)) for topic_id, score in cursor.fetchall()]

    # --- Searching -------------------------------------------------------------------------

    def _newest_post_id(self) -> int:
        """The highest post id, looked up at most once a minute a process.

        Only where the ranges fall depends on it, never which posts match: posts newer than
        a stale value all fall in the first branch, which has no upper bound.
        """
        alias = self.connection.alias
        cached = _NEWEST.get(alias)
        now = time.monotonic()
        if cached and now - cached[0] < NEWEST_TTL_SECONDS:
            return cached[1]
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(post_id), 0) FROM {INDEX_TABLE}")
            newest = cursor.fetchone()[0]
        _NEWEST[alias] = (now, newest)
        return newest

    def _filters_sql(self, filters: SearchFilters) -> tuple[str, list]:
        conditions = ["d.space_id = ANY(%s)"]
        params: list = [list(filters.space_ids)]
        if filters.tag_id is not None:
            conditions.append(
                "d.topic_id IN (SELECT topic_id FROM community_topic_tags WHERE tag_id = %s)"
            )
            params.append(filters.tag_id)
        if filters.solved is not None:
            solved = "IS NOT NULL" if filters.solved else "IS NULL"
            conditions.append(
                "EXISTS (SELECT 1 FROM community_topic AS t WHERE t.id = d.topic_id"
                f" AND t.kind = 'question' AND t.accepted_post_id {solved})"
            )
        if filters.author_id is not None:
            conditions.append("d.author_id = %s")
            params.append(filters.author_id)
        if filters.affiliation is not None:
            conditions.append(
                "d.author_id IN (SELECT id FROM accounts_member WHERE affiliation = %s)"
            )
            params.append(filters.affiliation)
        if filters.since is not None:
            conditions.append("d.created_at >= %s")
            params.append(filters.since)
        if filters.until is not None:
            conditions.append("d.created_at < %s")
            params.append(filters.until)
        return " AND ".join(conditions), params

    def _candidates_sql(
        self, tsquery: str, tsquery_params: list, filters: SearchFilters
    ) -> tuple[str, list]:
        """The CANDIDATES newest matching posts, reading little whatever the words.

        A UNION ALL under a LIMIT runs its branches in turn and stops once it has enough.
        The first takes the newest WALK_POSTS posts newest first, so a common word fills
        the list after reading a few hundred rows. The next ones cover ever larger, older
        ranges of post ids: within one, the planner either ANDs the GIN index (the words)
        with the primary key (the range) and reads only the matches, or reads the range,
        whichever it finds cheaper. A branch is reached only
        when the newer ones held too few matches, so the words are rarer than the range is
        long. The ORDER BY of a range is on `post_id + 0`, which no index provides: no
        branch can become a walk down the whole table hoping to meet matches early, which
        is what a plain `ORDER BY post_id DESC LIMIT n` does for a word that is rarer than
        the planner believes.
        """
        conditions, params = self._filters_sql(filters)
        match = f"d.document @@ {tsquery}"
        columns = "d.post_id, d.topic_id, d.document"
        # Bounds the planner can see (parameters are sent inline), so it can weigh a range's
        # rows against the words' matches.
        newest = self._newest_post_id()
        edges = [newest - WALK_POSTS * WINDOW_GROWTH**n for n in range(WINDOWS + 1)]
        branches = [
            f"""(SELECT {columns} FROM {INDEX_TABLE} AS d
                WHERE d.post_id > %s AND {match} AND {conditions}
                ORDER BY d.post_id DESC LIMIT %s)"""
        ]
        all_params = [edges[0], *tsquery_params, *params, CANDIDATES]
        for upper, lower in zip(edges, [*edges[1:], None], strict=True):
            window = "d.post_id <= %s"
            window_params = [upper]
            if lower is not None:
                window += " AND d.post_id > %s"
                window_params.append(lower)
            branches.append(
                f"""(SELECT {columns} FROM {INDEX_TABLE} AS d
                WHERE {window} AND {match} AND {conditions}
                ORDER BY d.post_id + 0 DESC LIMIT %s)"""
            )
            all_params += [*window_params, *tsquery_params, *params, CANDIDATES]
        sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS u LIMIT %s"
        return sql, [*all_params, CANDIDATES]

    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, limit: int, offset: int
    ) -> HitPage:
        if query.is_empty or not filters.space_ids:
            return HitPage()
        tsquery, tsquery_params = tsquery_sql(query)
        candidates, candidate_params = self._candidates_sql(tsquery, tsquery_params, filters)
        sql = f"""
            WITH candidates AS ({candidates}),
            ranked AS (
                SELECT post_id, topic_id, ts_rank_cd({WEIGHTS}, document, {tsquery}) AS score
                FROM candidates
            ),
            best AS (
                SELECT post_id, topic_id, score, row_number() OVER (
                    PARTITION BY topic_id ORDER BY score DESC, post_id
                ) AS nth
                FROM ranked
            ),
            page AS (
                SELECT post_id, topic_id, score FROM best WHERE nth = 1
                ORDER BY score DESC, post_id DESC
                LIMIT %s OFFSET %s
            )
            SELECT page.post_id, page.topic_id, page.score,
                   ts_headline({CONFIG}, t.title, {tsquery}, %s),
                   ts_headline({CONFIG}, left(p.body, %s), {tsquery}, %s)
            FROM page
            JOIN community_post AS p ON p.id = page.post_id
            JOIN community_topic AS t ON t.id = page.topic_id
            ORDER BY page.score DESC, page.post_id DESC
        """
        params = [
            *candidate_params,
            *tsquery_params,
            limit + 1,
            offset,
            *tsquery_params,
            TITLE_HEADLINE,
            HEADLINE_CHARS,
            *tsquery_params,
            BODY_HEADLINE,
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        hits = [
            Hit(
                post_id=post_id,
                topic_id=topic_id,
                rank=float(score),
                title_html=marked_html(title),
                snippet_html=marked_html(plain_snippet(snippet)),
            )
            for post_id, topic_id, score, title, snippet in rows[:limit]
        ]
        return HitPage(hits=hits, has_next=len(rows) > limit)
