/** Datasets (MNIST, penguins) and input readers; see README.md in this folder. */
export { seededSplit, type Split } from './split.js';
export {
  loadMnist, mnistSplit, mnistBatch, mnistLabels,
  MNIST_SIZE, MNIST_PIXELS, MNIST_CLASSES, MNIST_SPLIT_SEED, MNIST_HELD_OUT, type MnistData,
} from './mnist.js';
export {
  loadPenguins, penguinSplit, penguinStandardization, encodePenguins, penguinBatch, penguinLabels, penguinFeaturesFromTable,
  PENGUIN_MEASUREMENTS, PENGUIN_ISLANDS, PENGUIN_SEXES, PENGUIN_FEATURES, PENGUIN_CLASSES, PENGUIN_SPLIT_SEED, PENGUIN_HELD_OUT,
  type PenguinRow, type PenguinData, type Standardization,
} from './penguins.js';
export { type TensorData } from './tensor-data.js';
export { readImage, decodeImage, resizeBilinear, sniffImage, type ImageOptions, type ImageFormat } from './image.js';
export { readNpy, parseNpy, encodeNpy, type NpyData } from './npy.js';
export { readJsonTensor, jsonToTensor } from './json-tensor.js';
export { readCsv, parseCsv, csvToMatrix, type CsvTable, type CsvCell } from './csv.js';
export { readInput, writeFileAtomic, writeFileAtomicSync, INPUT_EXTENSIONS, type InputData } from './io.js';
export { datasetFromFile, datasetFromImageFolder, bundledDataset, type DatasetFileOptions } from './dataset-files.js';
export {
  conceptShapes, conceptShapesTensor, shapesMaskTensor, SHAPES_CONCEPTS, SHAPES_DECIDING_CONCEPT, SHAPES_DISTRACTOR_CONCEPT,
  CONCEPT_SHAPES_SIZE, CONCEPT_SHAPES_CLASSES, type ShapesConcept, type ConceptShapesOptions, type ConceptShapesData,
} from './concept-shapes.js';
export { conceptShapesCnn } from './concept-shapes-cnn.js';
