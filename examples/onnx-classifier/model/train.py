"""Trains the example iris classifier, exports it to ONNX and writes reference outputs.

Regenerate (outside CI; the committed files are what the tests use):

    python3 -m venv /tmp/iris-venv
    /tmp/iris-venv/bin/pip install scikit-learn skl2onnx onnxruntime==1.31.1
    /tmp/iris-venv/bin/python examples/onnx-classifier/model/train.py

Writes, beside this script:
- iris.onnx: multinomial logistic regression on the 4 iris features (float32, batch of rows),
  outputs `label` (int64, the class index) and `probabilities` (float32, one row per input).
- reference.json: inputs and the outputs Python onnxruntime computes for them, which the Rust
  tests compare against on every backend.
"""

import json
from pathlib import Path

import numpy as np
import onnxruntime
import skl2onnx
import sklearn
from skl2onnx import to_onnx
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
SEED = 7


def main() -> None:
    iris = load_iris()
    x = iris.data.astype(np.float32)
    y = iris.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=SEED, stratify=y
    )
    model = LogisticRegression(max_iter=1000, random_state=SEED).fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))

    # zipmap=False: probabilities as a plain float tensor rather than a sequence of maps,
    # which every ONNX engine (tract included) supports.
    onnx_model = to_onnx(
        model,
        x_train[:1],
        target_opset={"": 17, "ai.onnx.ml": 3},
        options={id(model): {"zipmap": False}},
    )
    # skl2onnx leaves the batch dimension anonymous; engines that plan shapes ahead (tract)
    # need it named to treat it as one symbol across inputs and outputs.
    for value in list(onnx_model.graph.input) + list(onnx_model.graph.output):
        first = value.type.tensor_type.shape.dim[0]
        if not first.dim_param and not first.HasField("dim_value"):
            first.dim_param = "batch"
    onnx_model.doc_string = f"Iris logistic regression (test accuracy {accuracy:.3f})"
    (HERE / "iris.onnx").write_bytes(onnx_model.SerializeToString())

    session = onnxruntime.InferenceSession(
        str(HERE / "iris.onnx"), providers=["CPUExecutionProvider"]
    )
    # Reference rows: the whole test split, so every class and some hard cases are covered.
    label, probabilities = session.run(["label", "probabilities"], {"X": x_test})
    reference = {
        "generator": {
            "scikit-learn": sklearn.__version__,
            "skl2onnx": skl2onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "accuracy": accuracy,
        "classes": [str(name) for name in iris.target_names],
        "inputs": x_test.tolist(),
        "label": label.tolist(),
        "probabilities": probabilities.tolist(),
    }
    (HERE / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote iris.onnx and reference.json; test accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
