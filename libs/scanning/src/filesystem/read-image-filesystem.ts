/**
 * Reads an image's layers in order, each as one stream (decompress → tar entries), and merges
 * them into an ImageFilesystem. Never holds more of a layer than one chunk plus the wanted
 * files; errors per layer and per file are collected, never thrown.
 */
import {
  type ImageFilesystem,
  type LayerSource,
  type ReadImageFilesystemOptions,
  type WantedPath,
} from './image-filesystem';

export async function readImageFilesystem(
  layers: AsyncIterable<LayerSource> | Iterable<LayerSource>,
  want: WantedPath,
  options: ReadImageFilesystemOptions = {},
): Promise<ImageFilesystem> {
  void layers;
  void want;
  void options;
  throw new Error('readImageFilesystem: being written (issue 6)');
}
