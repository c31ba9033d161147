"""Small data files written for tests: JPEGs and a tiny Clothing1M."""

import os

import numpy as np


def write_image(path, pixel):
    """A 12x10 JPEG of one grey level (needs TensorFlow)."""
    import tensorflow as tf

    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full((12, 10, 3), pixel, np.uint8)
    tf.io.write_file(path, tf.io.encode_jpeg(image))


def write_clothing1m(root):
    """A tiny Clothing1M release: 6 noisy images (3 also clean), 4 clean."""
    noisy = {f"images/0/{i}.jpg": (i % 14) for i in range(6)}
    clean = {f"images/0/{i}.jpg": ((i + 1) % 14) for i in range(3)}
    clean.update({f"images/1/{i}.jpg": (i % 14) for i in range(4)})
    for key in set(noisy) | set(clean):
        write_image(os.path.join(root, key), 10 * int(key[-5]))
    files = {
        "noisy_label_kv.txt": [f"{k} {v}" for k, v in noisy.items()],
        "clean_label_kv.txt": [f"{k} {v}" for k, v in clean.items()],
        "noisy_train_key_list.txt": list(noisy),
        "clean_train_key_list.txt": [f"images/1/{i}.jpg" for i in range(2)],
        "clean_val_key_list.txt": ["images/1/2.jpg"],
        "clean_test_key_list.txt": ["images/1/3.jpg"],
    }
    for name, lines in files.items():
        with open(os.path.join(root, name), "w") as file:
            file.write("\n".join(lines) + "\n")
    return noisy, clean
