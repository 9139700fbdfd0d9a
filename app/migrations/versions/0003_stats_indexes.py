"""Covering indexes for the 统计 page (measured with tests/perf/bench_stats.py at 100k customers).

- ix_customers_stats: the page's one GROUP BY over customers (grade, status, stage, tier, source and the
  overdue test) reads this index instead of every wide customer row, in index order, without sorting.
- ix_customers_created: new cards per month and in the period are index range counts.
- ix_visits_at_customer: visits per week and customers seen in a period without visiting each visit row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATS_COLUMNS = ["deleted_at", "grade", "deal_status", "stage", "asset_tier", "source", "last_contact_at",
                 "created_on", "referrer_id", "influence_center"]


def upgrade() -> None:
    op.create_index("ix_customers_stats", "customers", STATS_COLUMNS, unique=False)
    op.create_index("ix_customers_created", "customers", ["deleted_at", "created_on"], unique=False)
    op.create_index("ix_visits_at_customer", "visits", ["at", "customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_visits_at_customer", table_name="visits")
    op.drop_index("ix_customers_created", table_name="customers")
    op.drop_index("ix_customers_stats", table_name="customers")
