/**
 * Kernels with optional inputs under the tape (tfjs 4.22 defect). tfjs ops pass an absent optional
 * input as a key with the value `undefined` (`tf.batchNorm` without `scale` or `offset`, which is
 * what a Keras `BatchNormalization` with `scale: false` or `center: false` calls), and the engine
 * then fails while taping: it clones every input its gradient saves (`reading 'dataId'`) and the
 * tape reads every input's id (`reading 'id'`). `allowAbsentInputs()` patches the engine so an
 * absent input stays absent: it is saved as `undefined` (the gradient sees `saved[i] == null`),
 * left out of the tape node's inputs (nothing is back-propagated to it) and out of the list of
 * saved tensors the tape disposes. Present inputs are handled exactly as before; the upstream fix
 * is the same checks in tfjs-core's engine.
 */
import * as tf from '@tensorflow/tfjs';

/** The two engine methods patched (internal in tfjs-core 4.22, not in its public types). */
interface TapingEngine {
  saveTensorsForBackwardMode(tensors: (tf.Tensor | undefined)[]): (tf.Tensor | undefined)[];
  addTapeNode(kernelName: string, inputs: Record<string, tf.Tensor | undefined>, outputs: tf.Tensor[], gradient: unknown, saved: (tf.Tensor | undefined)[], attrs: unknown): void;
  readonly state: { readonly activeTape: { saved: (tf.Tensor | undefined)[] }[] };
}

const PATCHED = Symbol.for('lumen.absent-inputs');

/** Whether the engine has Lumen's absent-input patch. */
export function absentInputsAllowed(): boolean {
  return (tf.engine() as unknown as Record<symbol, boolean>)[PATCHED] === true;
}

/** Patches tfjs' engine so kernels taped with absent optional inputs work (see the file comment). Idempotent. */
export function allowAbsentInputs(): void {
  const engine = tf.engine() as unknown as TapingEngine & Record<symbol, boolean>;
  if (engine[PATCHED]) return;
  const save = engine.saveTensorsForBackwardMode.bind(engine);
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) => {
    if (tensors.every((t) => t != null)) return save(tensors);
    const kept = save(tensors.filter((t): t is tf.Tensor => t != null));
    let k = 0;
    return tensors.map((t) => (t == null ? undefined : kept[k++]));
  };
  engine.addTapeNode = (kernelName, inputs, outputs, gradient, saved, attrs) => {
    const complete = Object.values(inputs).every((t) => t != null);
    addTapeNode(kernelName, complete ? inputs : Object.fromEntries(Object.entries(inputs).filter(([, t]) => t != null)), outputs, gradient, saved, attrs);
    // The gradient keeps `saved` with its holes; the node's own list is what the tape disposes.
    if (saved.some((t) => t == null)) {
      const tape = engine.state.activeTape;
      tape[tape.length - 1].saved = saved.filter((t) => t != null);
    }
  };
  engine[PATCHED] = true;
}
