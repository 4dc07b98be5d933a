"""SQLite backend: an FTS5 table of live posts, kept in step with the posts by triggers.

`search_postindex` holds one row a post, its rowid the post's id, with the topic's title and
the post's Markdown as two columns (porter stemming, Unicode folding). Only live posts are
in it: the triggers take a post out when it or its topic is deleted and put it back when
restored. Visibility and filters join community_post and community_topic at query time, so
moving a topic needs no reindexing.

The migration installs SCHEMA and TRIGGERS; change them only together with a new migration.
"""

# SQL here is put together from this module's constants and placeholders only; every value
# from a member travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from hearth.search.backends.base import (
    CANDIDATES,
    MARK_START,
    MARK_STOP,
    Hit,
    HitPage,
    ParsedQuery,
    SearchFilters,
    Term,
    marked_html,
    plain_snippet,
)

INDEX_TABLE = "search_postindex"
# Title matches count ten times body matches; a topic's opening post edges out its replies.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
OPENING_POST_BOOST = 1.1
SNIPPET_TOKENS = 32

SCHEMA = [
    f"""CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5(
        title, body, tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
]

# name -> statement. Each trigger first removes the post's row, so re-running one for a post
# that is (or is not) indexed leaves exactly one right row.
TRIGGERS = {
    "search_post_inserted": f"""
        CREATE TRIGGER IF NOT EXISTS search_post_inserted
        AFTER INSERT ON community_post
        BEGIN
            DELETE FROM {INDEX_TABLE} WHERE rowid = NEW.id;
            INSERT INTO {INDEX_TABLE} (rowid, title, body)
            SELECT NEW.id, t.title, NEW.body FROM community_topic AS t
            WHERE t.id = NEW.topic_id AND t.deleted_at IS NULL AND NEW.deleted_at IS NULL;
        END""",
    "search_post_updated": f"""
        CREATE TRIGGER IF NOT EXISTS search_post_updated
        AFTER UPDATE OF body, deleted_at, topic_id ON community_post
        WHEN OLD.body IS NOT NEW.body
            OR OLD.deleted_at IS NOT NEW.deleted_at
            OR OLD.topic_id IS NOT NEW.topic_id
        BEGIN
            DELETE FROM {INDEX_TABLE} WHERE rowid = OLD.id;
            INSERT INTO {INDEX_TABLE} (rowid, title, body)
            SELECT NEW.id, t.title, NEW.body FROM community_topic AS t
            WHERE t.id = NEW.topic_id AND t.deleted_at IS NULL AND NEW.deleted_at IS NULL;
        END""",
    "search_post_deleted": f"""
        CREATE TRIGGER IF NOT EXISTS search_post_deleted
        AFTER DELETE ON community_post
        BEGIN
            DELETE FROM {INDEX_TABLE} WHERE rowid = OLD.id;
        END""",
    "search_topic_updated": f"""
        CREATE TRIGGER IF NOT EXISTS search_topic_updated
        AFTER UPDATE OF title, deleted_at ON community_topic
        WHEN OLD.title IS NOT NEW.title OR OLD.deleted_at IS NOT NEW.deleted_at
        BEGIN
            DELETE FROM {INDEX_TABLE}
            WHERE rowid IN (SELECT id FROM community_post WHERE topic_id = NEW.id);
            INSERT INTO {INDEX_TABLE} (rowid, title, body)
            SELECT p.id, NEW.title, p.body FROM community_post AS p
            WHERE p.topic_id = NEW.id AND p.deleted_at IS NULL AND NEW.deleted_at IS NULL;
        END""",
    "search_topic_deleted": f"""
        CREATE TRIGGER IF NOT EXISTS search_topic_deleted
        AFTER DELETE ON community_topic
        BEGIN
            DELETE FROM {INDEX_TABLE}
            WHERE rowid IN (SELECT id FROM community_post WHERE topic_id = OLD.id);
        END""",
}

# Similar questions: a title match counts three times an opening-post match. Each tier of
# candidates (see similar_topics) is cut off at this many questions.
SIMILAR_TITLE_WEIGHT = 3.0
SIMILAR_BODY_WEIGHT = 1.0
SIMILAR_ALL_CANDIDATES = 200
SIMILAR_ANY_CANDIDATES = 1_000

# Held and hidden posts (and the topics whose opening post is) stay in the index, so that
# publishing one needs no reindexing, but never match: checked in the query itself, before
# the candidates are cut off and a topic's best post is chosen, so that a held reply cannot
# stand in for its published topic and every page comes back full.
PUBLISHED_CONDITIONS = ("p.state = 'published'", "t.state = 'published'")

# The live posts with ids in [%s, %s], as index rows.
_LIVE_POSTS = """
    SELECT p.id, t.title, p.body
    FROM community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
    WHERE p.id BETWEEN %s AND %s AND p.deleted_at IS NULL AND t.deleted_at IS NULL
"""


def _phrase(term: Term) -> str:
    # An FTS5 string: whatever is inside is only ever read as words to match.
    return '"' + term.text.replace('"', '""') + '"'


def fts5_query(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression for a parsed query, every term a quoted string."""
    groups = []
    for group in query.groups:
        phrases = [_phrase(term) for term in group]
        groups.append(phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})")
    expression = " AND ".join(groups)
    for term in query.excluded:
        expression = f"({expression}) NOT {_phrase(term)}"
    return expression


class SQLiteBackend:
    vendor = "sqlite"
    label = "SQLite FTS5"

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection

    # --- Installing ------------------------------------------------------------------------

    def is_installed(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [INDEX_TABLE]
            )
            return cursor.fetchone() is not None

    def install(self) -> None:
        """Create the index and its triggers and fill it from the posts there are."""
        with self.connection.cursor() as cursor:
            for statement in SCHEMA:
                cursor.execute(statement)
            for statement in TRIGGERS.values():
                cursor.execute(statement)
            cursor.execute(
                f"""INSERT INTO {INDEX_TABLE} (rowid, title, body)
                SELECT p.id, t.title, p.body
                FROM community_post AS p JOIN community_topic AS t ON t.id = p.topic_id
                WHERE p.deleted_at IS NULL AND t.deleted_at IS NULL"""
            )

    def uninstall(self) -> None:
        with self.connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {INDEX_TABLE}")

    def restore_triggers(self) -> list[str]:
        """Create whichever triggers are missing; returns their names."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in TRIGGERS if name not in present]
            for name in missing:
                cursor.execute(TRIGGERS[name])
        return missing

    # --- Rebuilding ------------------------------------------------------------------------

    def reindex_range(self, first_id: int, last_id: int) -> int:
        """Index the posts with ids in [first_id, last_id] afresh; returns how many are live."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {INDEX_TABLE} WHERE rowid BETWEEN %s AND %s", [first_id, last_id]
            )
            cursor.execute(
                f"INSERT INTO {INDEX_TABLE} (rowid, title, body) {_LIVE_POSTS}",
                [first_id, last_id],
            )
            return max(cursor.rowcount, 0)

    def drop_below(self, first_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {INDEX_TABLE} WHERE rowid < %s", [first_id])

    def finish_reindex(self) -> None:
        # Merge the index's segments into one: faster queries after a bulk rebuild.
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}) VALUES ('optimize')")

    def indexed_count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {INDEX_TABLE}")
            return cursor.fetchone()[0]

    # --- Similar questions -----------------------------------------------------------------

    # Similar questions read the post index (opening posts only): nothing more to keep.
    def questions_installed(self) -> bool:
        return self.is_installed()

    def install_questions(self) -> None:
        pass

    def refresh(self) -> None:
        pass

    def refresh_questions(self) -> None:
        pass

    def uninstall_questions(self) -> None:
        pass

    def reindex_questions(self) -> int:
        return 0

    def similar_topics(
        self,
        terms: tuple[str, ...],
        space_ids: tuple[int, ...],
        *,
        limit: int,
        exclude_ids: tuple[int, ...] = (),
    ) -> list[tuple[int, float]]:
        """Questions sharing words with `terms`, best first: (topic id, score) pairs.

        Any one word is enough to match (partial overlaps count); bm25 over the title and the
        opening post ranks them (higher scores are better here). The candidates come in two
        bounded tiers, the newest questions with all the words and the newest with any, so a
        word that half the questions share does not make every one of them a candidate, and
        the closest questions are still among them. bm25 adds up each word's weight whether
        the words were joined with AND or OR, so the tiers' scores compare.
        """
        if not terms or not space_ids:
            return []
        conditions = [
            f"{INDEX_TABLE} MATCH %s",
            "p.position = 1",
            "p.deleted_at IS NULL",
            "t.deleted_at IS NULL",
            *PUBLISHED_CONDITIONS,
            "t.kind = 'question'",
            f"t.space_id IN ({', '.join(['%s'] * len(space_ids))})",
        ]
        condition_params: list = list(space_ids)
        if exclude_ids:
            conditions.append(f"t.id NOT IN ({', '.join(['%s'] * len(exclude_ids))})")
            condition_params += list(exclude_ids)
        phrases = [_phrase(Term((term,))) for term in terms]
        tiers = [(" OR ".join(phrases), SIMILAR_ANY_CANDIDATES)]
        if len(terms) > 1:
            tiers.insert(0, (" AND ".join(phrases), SIMILAR_ALL_CANDIDATES))
        branches, params = [], []
        for match, bound in tiers:
            branches.append(
                f"""SELECT * FROM (
                    SELECT p.topic_id AS topic_id,
                           bm25({INDEX_TABLE}, {SIMILAR_TITLE_WEIGHT}, {SIMILAR_BODY_WEIGHT})
                           AS score
                    FROM {INDEX_TABLE}
                    JOIN community_post AS p ON p.id = {INDEX_TABLE}.rowid
                    JOIN community_topic AS t ON t.id = p.topic_id
                    WHERE {" AND ".join(conditions)}
                    ORDER BY {INDEX_TABLE}.rowid
                    LIMIT %s
                )"""
            )
            params += [match, *condition_params, bound]
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(branches), params)
            rows = cursor.fetchall()
        best: dict[int, float] = {}
        for topic_id, score in rows:
            # bm25() is lower for better matches.
            best[topic_id] = max(best.get(topic_id, float("-inf")), -score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], -item[0]))
        return ranked[:limit]

    # --- Searching -------------------------------------------------------------------------

    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, limit: int, offset: int
    ) -> HitPage:
        if query.is_empty or not filters.space_ids:
            return HitPage()
        match = fts5_query(query)
        conditions = [
            f"{INDEX_TABLE} MATCH %s",
            "p.deleted_at IS NULL",
            "t.deleted_at IS NULL",
            *PUBLISHED_CONDITIONS,
            f"t.space_id IN ({', '.join(['%s'] * len(filters.space_ids))})",
        ]
        params: list = [match, *filters.space_ids]
        if filters.tag_id is not None:
            conditions.append(
                "t.id IN (SELECT topic_id FROM community_topic_tags WHERE tag_id = %s)"
            )
            params.append(filters.tag_id)
        if filters.solved is not None:
            solved = "IS NOT NULL" if filters.solved else "IS NULL"
            conditions.append(f"t.kind = 'question' AND t.accepted_post_id {solved}")
        if filters.author_id is not None:
            conditions.append("p.author_id = %s")
            params.append(filters.author_id)
        if filters.affiliation is not None:
            conditions.append(
                "p.author_id IN (SELECT id FROM accounts_member WHERE affiliation = %s)"
            )
            params.append(filters.affiliation)
        ops = self.connection.ops
        if filters.since is not None:
            conditions.append("p.created_at >= %s")
            params.append(ops.adapt_datetimefield_value(filters.since))
        if filters.until is not None:
            conditions.append("p.created_at < %s")
            params.append(ops.adapt_datetimefield_value(filters.until))

        # FTS5 yields matches newest first and stops at CANDIDATES; those are ranked by bm25
        # (lower is better), the best post of each topic kept, and only the page's rows get
        # their title highlighted and a snippet cut.
        sql = f"""
            WITH candidates AS (
                SELECT {INDEX_TABLE}.rowid AS post_id, p.topic_id AS topic_id,
                       bm25({INDEX_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT})
                       * (CASE WHEN p.position = 1 THEN {OPENING_POST_BOOST} ELSE 1.0 END)
                       AS score
                FROM {INDEX_TABLE}
                JOIN community_post AS p ON p.id = {INDEX_TABLE}.rowid
                JOIN community_topic AS t ON t.id = p.topic_id
                WHERE {" AND ".join(conditions)}
                ORDER BY {INDEX_TABLE}.rowid DESC
                LIMIT %s
            ),
            best AS (
                SELECT post_id, topic_id, score, ROW_NUMBER() OVER (
                    PARTITION BY topic_id ORDER BY score, post_id
                ) AS nth
                FROM candidates
            ),
            page AS (
                SELECT post_id, topic_id, score FROM best WHERE nth = 1
                ORDER BY score, post_id DESC
                LIMIT %s OFFSET %s
            )
            SELECT page.post_id, page.topic_id, page.score,
                   highlight({INDEX_TABLE}, 0, %s, %s),
                   snippet({INDEX_TABLE}, 1, %s, %s, '…', {SNIPPET_TOKENS})
            FROM page JOIN {INDEX_TABLE} ON {INDEX_TABLE}.rowid = page.post_id
            WHERE {INDEX_TABLE} MATCH %s
            ORDER BY page.score, page.post_id DESC
        """
        params += [CANDIDATES, limit + 1, offset, MARK_START, MARK_STOP, MARK_START, MARK_STOP]
        params.append(match)
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        hits = [
            Hit(
                post_id=post_id,
                topic_id=topic_id,
                rank=-score,
                title_html=marked_html(title),
                snippet_html=marked_html(plain_snippet(snippet)),
            )
            for post_id, topic_id, score, title, snippet in rows[:limit]
        ]
        return HitPage(hits=hits, has_next=len(rows) > limit)
