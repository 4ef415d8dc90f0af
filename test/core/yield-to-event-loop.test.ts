import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yieldToEventLoop } from '../../src/core/yield-to-event-loop.js';

test('yieldToEventLoop() lets timers run: a loop awaiting it does not starve a setTimeout', async () => {
  let fired = false;
  const timer = setTimeout(() => (fired = true), 2);
  let turns = 0;
  while (!fired && turns < 100_000) {
    await yieldToEventLoop();
    turns++;
  }
  clearTimeout(timer);
  assert.ok(fired, `the timer did not fire in ${turns} turns`);
});

test('a loop awaiting only microtasks would starve it (the check above can fail)', async () => {
  let fired = false;
  const timer = setTimeout(() => (fired = true), 0);
  for (let i = 0; i < 10_000; i++) await Promise.resolve();
  clearTimeout(timer);
  assert.equal(fired, false);
});
