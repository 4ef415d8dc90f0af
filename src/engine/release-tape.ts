import * as tf from '@tensorflow/tfjs';

/** The engine's tape as tfjs 4.x keeps it (`EngineState.activeTape`). */
interface TapeState {
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * Runs `fn` (a gradient computation); if it throws, disposes the tensors that the tape it left
 * behind saved for the backward pass and puts the previous tape back. tfjs only releases them when
 * a backward pass completes, so a throwing gradient rule would otherwise leak every saved
 * activation of the forward pass.
 */
export function releaseTapeOnThrow<T>(fn: () => T): T {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  const outer = state.activeTape;
  try {
    return fn();
  } catch (e) {
    const tape = state.activeTape;
    if (tape && tape !== outer) {
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      state.activeTape = outer;
    }
    throw e;
  }
}
