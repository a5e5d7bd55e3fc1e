/**
 * The outbox scenario's bookkeeping (scripts/lib/outbox-check.ts), under Node: every
 * accepted request must show its created event and one terminal event on Kafka.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { account, EventLedger, formatAccount, isSettled, type RequestRow } from '../../scripts/lib/outbox-check.ts';

const CREATED = 'llm.request.created.v1';
const COMPLETED = 'llm.request.completed.v1';
const FAILED = 'llm.request.failed.v1';
const ev = (id: string, type: string, agg = 'A') => ({
  event_id: id,
  event_type: type,
  aggregate_id: agg,
  occurred_at: '',
});
const done = (id: string): RequestRow => ({ id, status: 'completed' });

/** A ledger fed with created then completed for each aggregate. */
function ledgerOf(...aggregates: string[]): EventLedger {
  const l = new EventLedger();
  for (const a of aggregates) {
    l.take(ev(`${a}-c`, CREATED, a), a);
    l.take(ev(`${a}-t`, COMPLETED, a), a);
  }
  return l;
}

describe('EventLedger order per aggregate', () => {
  it('accepts created then completed, and created then failed', () => {
    const l = new EventLedger();
    assert.deepEqual(l.take(ev('1', CREATED), 'A'), []);
    assert.deepEqual(l.take(ev('2', COMPLETED), 'A'), []);
    assert.deepEqual(l.take(ev('3', CREATED, 'B'), 'B'), []);
    assert.deepEqual(l.take(ev('4', FAILED, 'B'), 'B'), []);
  });

  it('flags a terminal event before created, created after it, and a record keyed by another id', () => {
    const l = new EventLedger();
    assert.deepEqual(l.take(ev('1', FAILED), 'A'), ['terminal_before_created']);
    assert.deepEqual(l.take(ev('2', CREATED), 'A'), ['created_after_terminal']);
    assert.deepEqual(l.take(ev('3', CREATED, 'B'), 'A'), ['key']);
  });

  it('reports a repeated event id as a duplicate without counting the event twice', () => {
    const l = new EventLedger();
    l.take(ev('1', CREATED), 'A');
    assert.equal(l.take(ev('1', CREATED), 'A'), 'duplicate');
    assert.equal(l.eventsSeen, 1);
    assert.equal(l.of('A').created, 1);
    assert.equal(l.of('A').redelivered, 1);
  });

  it('ignores event types that are neither created nor terminal', () => {
    const l = new EventLedger();
    assert.equal(l.take(ev('1', 'llm.request.audited.v1'), 'A'), 'ignored');
    assert.equal(l.eventsSeen, 0);
  });
});

describe('account: accepted requests against Kafka', () => {
  it('counts nothing missing when every request has created and a terminal event', () => {
    const a = account([done('A'), { id: 'B', status: 'failed' }], ledgerOf('A', 'B'));
    assert.equal(a.accepted, 2);
    assert.equal(a.createdSeen, 2);
    assert.equal(a.terminalSeen, 2);
    assert.equal(a.lost, 0);
    assert.equal(a.unfinished, 0);
  });

  it('counts a request whose worker never ran as lost: its terminal event is missing', () => {
    const l = new EventLedger();
    l.take(ev('A-c', CREATED, 'A'), 'A');
    const a = account([{ id: 'A', status: 'queued' }], l);
    assert.equal(a.missingCreated, 0);
    assert.equal(a.missingTerminal, 1);
    assert.equal(a.lost, 1);
    assert.equal(a.unfinished, 1);
  });

  it('counts a request with no event on Kafka at all as two events lost', () => {
    const a = account([done('A'), done('B')], ledgerOf('A'));
    assert.equal(a.missingCreated, 1);
    assert.equal(a.missingTerminal, 1);
    assert.equal(a.lost, 2);
    assert.equal(a.createdSeen, 1);
  });

  it('counts a finished request whose terminal event never reached Kafka (PostgreSQL says done, Kafka does not)', () => {
    const l = new EventLedger();
    l.take(ev('A-c', CREATED, 'A'), 'A');
    const a = account([done('A')], l);
    assert.equal(a.lost, 1);
    assert.equal(a.unfinished, 0);
  });

  it('counts a second terminal event for one request as extra, a redelivered event id as redelivered', () => {
    const l = ledgerOf('A');
    l.take(ev('A-t2', FAILED, 'A'), 'A');
    l.take(ev('A-c', CREATED, 'A'), 'A');
    const a = account([done('A')], l);
    assert.equal(a.extra, 1);
    assert.equal(a.redelivered, 1);
    assert.equal(a.lost, 0);
  });

  it('counts order violations of accepted requests only, by reason', () => {
    const l = new EventLedger();
    l.take(ev('A-t', COMPLETED, 'A'), 'A');
    l.take(ev('A-c', CREATED, 'A'), 'A');
    l.take(ev('X-t', COMPLETED, 'X'), 'X'); // not a request of this run
    const a = account([done('A')], l);
    assert.equal(a.orderViolations, 2);
    assert.deepEqual(a.violationsByReason, { key: 0, created_after_terminal: 1, terminal_before_created: 1 });
  });

  it('accounts an empty run as zero accepted, nothing lost', () => {
    const a = account([], new EventLedger());
    assert.equal(a.accepted, 0);
    assert.equal(a.lost, 0);
  });

  it('prints accepted, created seen, terminal seen and lost on one line', () => {
    const line = formatAccount(account([done('A'), { id: 'B', status: 'queued' }], ledgerOf('A')));
    assert.doesNotMatch(line, /\n/);
    assert.match(line, /2 accepted, 1 created seen, 1 terminal seen, 2 lost/);
    assert.match(line, /postgres: 1 accepted requests not completed\/failed/);
  });
});

describe('isSettled', () => {
  it('is settled only when every accepted request has its created and a terminal event', () => {
    assert.equal(isSettled([done('A'), done('B')], ledgerOf('A', 'B')), true);
    assert.equal(isSettled([done('A'), done('B')], ledgerOf('A')), false);
    const half = new EventLedger();
    half.take(ev('A-c', CREATED, 'A'), 'A');
    assert.equal(isSettled([done('A')], half), false);
  });

  it('is never settled with no accepted request (nothing to wait for is not evidence)', () => {
    assert.equal(isSettled([], new EventLedger()), false);
  });
});
