"""Initial schema: customers, contacts, deals, visits, complaints, life events, marks, audit, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 11:08:06.747291
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_customer_id'), ['customer_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_no', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_pinyin', sa.String(length=400), nullable=False),
    sa.Column('name_initials', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=False),
    sa.Column('mobile', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('wechat', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('preferred_channel', sa.String(length=8), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('occupation', sa.String(length=100), nullable=False),
    sa.Column('org_nature', sa.String(length=50), nullable=False),
    sa.Column('business_scope', sa.Text(), nullable=False),
    sa.Column('has_branches', sa.Boolean(), nullable=False),
    sa.Column('parent_org', sa.String(length=200), nullable=False),
    sa.Column('employee_count', sa.Integer(), nullable=True),
    sa.Column('related_parties', sa.Text(), nullable=False),
    sa.Column('main_needs', sa.Text(), nullable=False),
    sa.Column('current_spend', sa.Text(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('finance', sa.Text(), nullable=False),
    sa.Column('operations', sa.Text(), nullable=False),
    sa.Column('purchasing', sa.Text(), nullable=False),
    sa.Column('credit', sa.Text(), nullable=False),
    sa.Column('relations', sa.Text(), nullable=False),
    sa.Column('hobbies', sa.Text(), nullable=False),
    sa.Column('personality', sa.Text(), nullable=False),
    sa.Column('wedding_date', sa.Date(), nullable=True),
    sa.Column('grade', sa.String(length=1), nullable=False),
    sa.Column('grade_manual', sa.Boolean(), nullable=False),
    sa.Column('economy', sa.String(length=4), nullable=False),
    sa.Column('awareness', sa.String(length=4), nullable=False),
    sa.Column('influence', sa.String(length=4), nullable=False),
    sa.Column('deal_status', sa.String(length=4), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('loss_reason', sa.String(length=200), nullable=False),
    sa.Column('asset_wan', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('asset_tier', sa.String(length=4), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.Column('influence_center', sa.Boolean(), nullable=False),
    sa.Column('competitor', sa.String(length=200), nullable=False),
    sa.Column('competitor_end', sa.Date(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('last_contact_at', sa.DateTime(), nullable=True),
    sa.Column('next_appointment_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by', sa.String(length=50), nullable=False),
    sa.Column('birth_cal', sa.String(length=8), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('birth_month', sa.Integer(), nullable=True),
    sa.Column('birth_day', sa.Integer(), nullable=True),
    sa.Column('birth_leap', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['referrer_id'], ['customers.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('card_no')
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_deal_status', ['deal_status'], unique=False)
        batch_op.create_index('ix_customers_grade', ['grade'], unique=False)
        batch_op.create_index('ix_customers_last_contact', ['last_contact_at'], unique=False)
        batch_op.create_index('ix_customers_mobile', ['mobile'], unique=False)
        batch_op.create_index('ix_customers_next_appt', ['next_appointment_at'], unique=False)
        batch_op.create_index('ix_customers_referrer', ['referrer_id'], unique=False)
        batch_op.create_index('ix_customers_sort', ['deleted_at', 'name_pinyin'], unique=False)
        batch_op.create_index('ix_customers_stage', ['stage'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('fed_back', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_customer_id'), ['customer_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('relation', sa.String(length=30), nullable=False),
    sa.Column('gender', sa.String(length=2), nullable=False),
    sa.Column('mobile', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('wechat', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('profile', sa.Text(), nullable=False),
    sa.Column('personality', sa.Text(), nullable=False),
    sa.Column('hobbies', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('birth_cal', sa.String(length=8), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('birth_month', sa.Integer(), nullable=True),
    sa.Column('birth_day', sa.Integer(), nullable=True),
    sa.Column('birth_leap', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('customer_tags',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'tag_id')
    )
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('contract_no', sa.String(length=60), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('renewal_kind', sa.String(length=4), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_customer_id'), ['customer_id'], unique=False)

    op.create_table('grade_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('old', sa.String(length=1), nullable=False),
    sa.Column('new', sa.String(length=1), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_changes_customer_id'), ['customer_id'], unique=False)

    op.create_table('life_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_life_events_customer_id'), ['customer_id'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('learned', sa.Text(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('next_place', sa.String(length=200), nullable=False),
    sa.Column('next_agenda', sa.Text(), nullable=False),
    sa.Column('next_method', sa.String(length=8), nullable=False),
    sa.Column('touchpoint_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_at', ['at'], unique=False)
        batch_op.create_index('ix_visits_customer_at', ['customer_id', 'at'], unique=False)
        batch_op.create_index('ix_visits_next_at', ['next_at'], unique=False)

    op.create_table('touchpoint_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('snooze_to', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('touchpoint_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_touchpoint_marks_customer_id'), ['customer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('touchpoint_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_touchpoint_marks_customer_id'))

    op.drop_table('touchpoint_marks')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_next_at')
        batch_op.drop_index('ix_visits_customer_at')
        batch_op.drop_index('ix_visits_at')

    op.drop_table('visits')
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_life_events_customer_id'))

    op.drop_table('life_events')
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_changes_customer_id'))
        batch_op.drop_index(batch_op.f('ix_grade_changes_at'))

    op.drop_table('grade_changes')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_customer_id'))

    op.drop_table('deals')
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_tags_tag_id'))

    op.drop_table('customer_tags')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_customer_id'))

    op.drop_table('complaints')
    op.drop_table('tags')
    op.drop_table('settings')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_stage')
        batch_op.drop_index('ix_customers_sort')
        batch_op.drop_index('ix_customers_referrer')
        batch_op.drop_index('ix_customers_next_appt')
        batch_op.drop_index('ix_customers_mobile')
        batch_op.drop_index('ix_customers_last_contact')
        batch_op.drop_index('ix_customers_grade')
        batch_op.drop_index('ix_customers_deal_status')

    op.drop_table('customers')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_customer_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
