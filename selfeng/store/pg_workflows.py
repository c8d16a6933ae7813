"""The PostgreSQL store's workflow tables: patterns of tool sequences, tool relationships and the runs they
were learned from (the seeds' `workflow_patterns` and `tool_relationships`). A part of `PostgresStore`,
which supplies the pooled connections (`_conn` for a write, `_one` for a read)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .pg_values import iso, to_array, to_json, to_vector


class WorkflowTables:
    def record_workflow(self, session_id: str, sequence: list[str], success_rates: dict[tuple, float],
                        steps: list[dict], success: bool, user_prompt: str | None,
                        describe) -> list[dict[str, Any]]:
        """As SQLiteStore.record_workflow: one transaction, increments in SQL."""
        described = {seq: describe(list(seq)) for seq in success_rates}
        with self._conn() as c:
            for seq, rate in success_rates.items():
                key = " > ".join(seq)
                desc, embedder, vec = described[seq]
                c.execute("INSERT INTO workflow_patterns (pattern_name, sequence_key, tool_sequence, description, "
                          "embedder, embedding) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (sequence_key) DO NOTHING",
                          ("_then_".join(seq), key, list(seq), desc, embedder, to_vector(vec)))
                c.execute("UPDATE workflow_patterns SET frequency = frequency + 1, success_sum = success_sum + %s, "
                          "avg_success_rate = (success_sum + %s) / (frequency + 1), "
                          "confidence_score = ((success_sum + %s) / (frequency + 1)) * (frequency + 1.0) / (frequency + 2.0), "
                          "updated_at = now() WHERE sequence_key = %s", (rate, rate, rate, key))
            for a, b in zip(sequence, sequence[1:]):
                c.execute("INSERT INTO tool_relationships (tool_a, tool_b, count) VALUES (%s, %s, 1) "
                          "ON CONFLICT (tool_a, tool_b) DO UPDATE SET count = tool_relationships.count + 1, "
                          "updated_at = now()", (a, b))
            c.execute("INSERT INTO workflow_runs (session_id, sequence_key, user_prompt, steps, success) "
                      "VALUES (%s, %s, %s, %s, %s)",
                      (session_id, " > ".join(sequence), user_prompt, to_json(steps), bool(success)))
        return [self.get_pattern(list(seq)) for seq in success_rates]

    _PATTERN_COLS = ("id", "pattern_name", "sequence_key", "tool_sequence", "frequency", "success_sum",
                     "avg_success_rate", "confidence_score", "description", "embedder", "composite_tool",
                     "created_at", "updated_at")

    def _patterns(self, where: str, args: tuple, with_vectors: bool = False) -> list:
        cols = ", ".join(self._PATTERN_COLS) + (", embedding" if with_vectors else "")
        with self._one() as c:
            rows = c.execute(f"SELECT {cols} FROM workflow_patterns {where}", args).fetchall()
        out = []
        for r in rows:
            d = dict(zip(self._PATTERN_COLS, r))
            d["tool_sequence"] = list(d["tool_sequence"])
            d["created_at"], d["updated_at"] = iso(d["created_at"]), iso(d["updated_at"])
            out.append((d, to_array(r[-1])) if with_vectors else d)
        return out

    def get_pattern(self, sequence: list[str]) -> dict[str, Any] | None:
        rows = self._patterns("WHERE sequence_key = %s", (" > ".join(sequence),))
        return rows[0] if rows else None

    def get_patterns(self, min_frequency: int = 1, limit: int = 10) -> list[dict[str, Any]]:
        return self._patterns("WHERE frequency >= %s ORDER BY frequency DESC, confidence_score DESC, id LIMIT %s",
                              (int(min_frequency), int(limit)))

    def pattern_vectors(self, embedder: str, min_frequency: int = 1) -> list[tuple[dict, np.ndarray]]:
        return self._patterns("WHERE embedder = %s AND embedding IS NOT NULL AND frequency >= %s ORDER BY id",
                              (embedder, int(min_frequency)), with_vectors=True)

    def set_pattern_composite(self, sequence: list[str], tool_name: str) -> None:
        with self._one() as c:
            c.execute("UPDATE workflow_patterns SET composite_tool = %s, updated_at = now() WHERE sequence_key = %s",
                      (tool_name, " > ".join(sequence)))

    def get_relationships(self, tool_name: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT r.tool_a, r.tool_b, r.count, r.count::float8 / t.total AS confidence_score "
               "FROM tool_relationships r JOIN (SELECT tool_a, SUM(count) AS total FROM tool_relationships "
               "GROUP BY tool_a) t ON t.tool_a = r.tool_a")
        args: tuple = ()
        if tool_name is not None:
            sql += " WHERE r.tool_a = %s OR r.tool_b = %s"
            args = (tool_name, tool_name)
        with self._one() as c:
            rows = c.execute(sql + " ORDER BY r.count DESC, r.tool_a, r.tool_b", args).fetchall()
        return [{"tool_a": a, "tool_b": b, "count": n, "confidence_score": s} for a, b, n, s in rows]

    def get_workflow_runs(self, sequence: list[str], *, success: bool | None = True,
                          limit: int = 20) -> list[dict[str, Any]]:
        sql = ("SELECT id, session_id, sequence_key, user_prompt, steps, success, created_at FROM workflow_runs "
               "WHERE sequence_key = %s")
        args: list = [" > ".join(sequence)]
        if success is not None:
            sql += " AND success = %s"
            args.append(bool(success))
        with self._one() as c:
            cur = c.execute(sql + " ORDER BY id DESC LIMIT %s", (*args, int(limit)))
            cols = [d.name for d in cur.description]
            return [{**dict(zip(cols, r)), "created_at": iso(r[-1])} for r in cur.fetchall()]
