"""A tiny data-parallel training run that tests/test_distributed.py interrupts and resumes.

    python tests/train_with_backup.py BACKUP_DIR RESULT_FILE [--pause-after-epoch N]

The article's network trains for 3 epochs on 256 random 28x28 images (``tiny_images`` of
tests/tiny.py), on 2 replicas (the CPU split into 2 logical devices, as in notebook 12), with
``keras.callbacks.BackupAndRestore`` backing up to BACKUP_DIR after every epoch. With
``--pause-after-epoch N`` the run prints "paused after epoch N" once that epoch is backed up and waits
to be killed: a preemption at a known point. A run that completes writes RESULT_FILE (.npz): the
epochs this run trained (counting from 1), the optimizer's step count and the final weights.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EPOCHS = 3
IMAGES = 256
BATCH_SIZE = 64  # global: 32 per replica


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backup_dir", type=Path)
    parser.add_argument("result_file", type=Path)
    parser.add_argument("--pause-after-epoch", type=int, default=None)
    args = parser.parse_args()

    from course_utils import setup_course

    setup_course()
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils.model import make_classifier

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root, for tests.tiny
    from tests.tiny import tiny_images

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    strategy = tf.distribute.MirroredStrategy([device.name for device in tf.config.list_logical_devices("CPU")])

    images, labels, _ = tiny_images(IMAGES)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(BATCH_SIZE)

    class Report(keras.callbacks.Callback):
        """Print each finished epoch; pause (until killed) after the one named on the command line."""

        def on_epoch_end(self, epoch, logs=None):
            print(f"finished epoch {epoch + 1}", flush=True)
            if epoch + 1 == args.pause_after_epoch:
                print(f"paused after epoch {epoch + 1}", flush=True)
                time.sleep(3600)

    with strategy.scope():
        model = make_classifier(keras.optimizers.RMSprop(learning_rate=0.002))
    # BackupAndRestore comes first, so an epoch is backed up before Report can pause.
    history = model.fit(dataset, epochs=EPOCHS, verbose=0, shuffle=False,
                        callbacks=[keras.callbacks.BackupAndRestore(args.backup_dir), Report()])

    temporary = args.result_file.with_name(f".{args.result_file.name}.tmp.npz")
    weights = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(temporary, epochs=np.array(history.epoch) + 1,
             iterations=np.array(model.optimizer.iterations.numpy()), **weights)
    os.replace(temporary, args.result_file)


if __name__ == "__main__":
    sys.exit(main())
