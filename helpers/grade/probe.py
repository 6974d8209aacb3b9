"""The code the grader runs inside a learner's kernel, and the value codec both sides share.

The grader never imports this module into a kernel: it sends this file's *text* as one cell
(see :func:`helpers.grade.extract.probe_cell`), so a learner who monkeypatches ``helpers``
cannot change it. For the same reason it uses only the standard library, numpy and keras.

Values travel as JSON with a type tag, never as pickles (unpickling would run learner code in
the grader)::

    >>> encode((None, 2))
    {'t': 'tuple', 'v': [{'t': 'none'}, {'t': 'int', 'v': '2'}]}
    >>> decode(encode((None, 2)))
    (None, 2)

Keras models are saved next to the payload as ``.keras`` files (the grader loads them with
``safe_mode=True``); anything else that cannot travel becomes ``{"t": "unsupported", ...}``.
"""
import base64
import json
import math
import os
import sys

MAX_DEPTH = 12
MAX_ITEMS = 200_000          # numbers in all arrays, lists and dicts of one answer together
MAX_STR = 100_000            # characters in one string
MAX_INT_DIGITS = 4_000
NUMERIC_KINDS = "biufc"      # numpy dtype kinds that may cross: bool, ints, floats, complex


class CannotTransport(Exception):
    """A value (or part of one) that has no safe JSON form."""


def _unsupported(value, why):
    return {"t": "unsupported", "type": type(value).__name__[:80], "why": str(why)[:300]}


class _Budget:
    def __init__(self):
        self.items = 0

    def spend(self, n):
        self.items += n
        if self.items > MAX_ITEMS:
            raise CannotTransport(f"it holds more than {MAX_ITEMS} numbers")


def _numpy():
    return sys.modules.get("numpy")


def _is_keras_model(value):
    keras = sys.modules.get("keras")
    if keras is None:
        return False
    try:
        return isinstance(value, keras.Model)
    except Exception:  # noqa: BLE001
        return False


def _array_payload(array, budget):
    if array.dtype.kind not in NUMERIC_KINDS:
        raise CannotTransport(f"its dtype {array.dtype} is not numeric")
    budget.spend(int(array.size))
    data = array.astype(array.dtype.newbyteorder("<"), copy=False) if array.dtype.byteorder == ">" else array
    np = _numpy()
    data = np.ascontiguousarray(data)
    return {"dtype": data.dtype.str, "shape": [int(n) for n in array.shape],
            "b64": base64.b64encode(data.tobytes()).decode("ascii")}


def encode(value, model_dir=None, _depth=0, _budget=None):
    """``value`` as tagged JSON-ready data; Keras models are saved into ``model_dir``.

    Raises nothing: a part that cannot travel becomes an ``unsupported`` tag.
    """
    budget = _budget or _Budget()
    try:
        return _encode(value, model_dir, _depth, budget)
    except CannotTransport as reason:
        return _unsupported(value, reason)
    except Exception as err:  # noqa: BLE001 - a learner's object may fail in any way
        return _unsupported(value, f"{type(err).__name__}: {err}")


def _encode(value, model_dir, depth, budget):
    if depth > MAX_DEPTH:
        raise CannotTransport(f"it is nested more than {MAX_DEPTH} levels deep")
    np = _numpy()
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int):
        text = str(int(value))
        if len(text) > MAX_INT_DIGITS:
            raise CannotTransport("the number has too many digits")
        return {"t": "int", "v": text}
    if isinstance(value, float):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, complex):
        return {"t": "complex", "re": repr(value.real), "im": repr(value.imag)}
    if isinstance(value, str):
        if len(value) > MAX_STR:
            raise CannotTransport(f"the string is longer than {MAX_STR} characters")
        return {"t": "str", "v": str(value)}
    if np is not None and isinstance(value, np.generic):
        if value.dtype.kind not in NUMERIC_KINDS:
            raise CannotTransport(f"its dtype {value.dtype} is not numeric")
        payload = _array_payload(np.asarray(value), budget)
        return {"t": "npscalar", **payload}
    if np is not None and isinstance(value, np.ndarray):
        return {"t": "ndarray", **_array_payload(value, budget)}
    if type(value).__name__ == "TensorShape":
        dims = value.as_list() if value.rank is not None else None
        if dims is None:
            raise CannotTransport("the shape has an unknown number of axes")
        return {"t": "tuple", "v": [_encode(d, model_dir, depth + 1, budget) for d in dims]}
    if _is_keras_model(value):
        if model_dir is None:
            raise CannotTransport("a Keras model cannot be used here")
        name = f"model_{len(os.listdir(model_dir))}.keras"
        value.save(os.path.join(model_dir, name))
        return {"t": "keras_model", "file": name}
    if isinstance(value, (tuple, list)):
        budget.spend(len(value))
        tag = "tuple" if isinstance(value, tuple) else "list"
        return {"t": tag, "v": [_encode(item, model_dir, depth + 1, budget) for item in value]}
    if isinstance(value, dict):
        budget.spend(len(value))
        return {"t": "dict", "v": [[_encode(k, model_dir, depth + 1, budget), _encode(v, model_dir, depth + 1, budget)]
                                   for k, v in value.items()]}
    module = type(value).__module__ or ""
    if module.startswith("tensorflow") and hasattr(value, "numpy"):
        return _encode(value.numpy(), model_dir, depth, budget)
    if module.startswith("keras") and type(value).__name__ == "KerasTensor":
        raise CannotTransport("a symbolic KerasTensor has a shape but no values; did you mean its .shape?")
    if module.startswith("keras") and hasattr(value, "numpy") and hasattr(value, "assign"):
        return _encode(value.value, model_dir, depth + 1, budget)   # the backend's own variable or array
    if module.startswith(("jax", "torch")):   # a JAX array or torch tensor (KERAS_BACKEND=jax or torch)
        array = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
        return _encode(array[()] if array.ndim == 0 else array, model_dir, depth, budget)
    if callable(value):
        raise CannotTransport("a function or other callable cannot be taken out of the notebook")
    raise CannotTransport(f"a {type(value).__name__} cannot be taken out of the notebook")


def decode(data, load_model=None, _depth=0):
    """The Python value of tagged data made by :func:`encode`; strict about types and sizes.

    ``load_model(file_name)`` is called for a ``keras_model`` tag (the grader passes a safe
    loader); without it such a tag raises ``ValueError``. Unsupported tags raise ``ValueError``.
    """
    if _depth > MAX_DEPTH + 1:
        raise ValueError("nested too deep")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError("not a tagged value")
    tag = data["t"]
    if tag == "none":
        return None
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bool":
        return _typed(data.get("v"), bool)
    if tag == "int":
        text = _typed(data.get("v"), str)
        if len(text) > MAX_INT_DIGITS + 1:
            raise ValueError("integer too long")
        return int(text)
    if tag == "float":
        return _float(data.get("v"))
    if tag == "complex":
        return complex(_float(data.get("re")), _float(data.get("im")))
    if tag == "str":
        return _typed(data.get("v"), str)[:MAX_STR]
    if tag in ("tuple", "list"):
        items = [decode(item, load_model, _depth + 1) for item in _typed(data.get("v"), list)]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        result = {}
        for pair in _typed(data.get("v"), list):
            key, item = _typed(pair, list)
            result[decode(key, load_model, _depth + 1)] = decode(item, load_model, _depth + 1)
        return result
    if tag in ("ndarray", "npscalar"):
        import numpy as np

        dtype = np.dtype(_typed(data.get("dtype"), str))
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            raise ValueError(f"dtype {dtype} may not cross")
        shape = tuple(_typed(n, int) for n in _typed(data.get("shape"), list))
        if any(n < 0 for n in shape) or math.prod(shape) > MAX_ITEMS:
            raise ValueError("array too large")
        raw = base64.b64decode(_typed(data.get("b64"), str), validate=True)
        array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return array[()] if tag == "npscalar" else array
    if tag == "keras_model":
        name = _typed(data.get("file"), str)
        if load_model is None or os.path.basename(name) != name or not name.endswith(".keras"):
            raise ValueError("a Keras model cannot be read here")
        return load_model(name)
    if tag == "unsupported":
        raise ValueError(f"{data.get('why', 'it cannot be transported')}")
    raise ValueError(f"unknown tag {tag[:40]!r}")


def _typed(value, kind):
    if type(value) is not kind:
        raise ValueError(f"expected {kind.__name__}")
    return value


def _float(text):
    text = _typed(text, str)
    if len(text) > 40:
        raise ValueError("float too long")
    return float(text)


def _write(path, payload):
    temporary = path + ".part"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
    os.replace(temporary, path)


def run(learner, request_text):
    """Read one answer out of the learner's namespace and write it to the request's file.

    ``request``: ``{"name", "kind": "value"|"function", "out", "model_dir", "cases"}``.
    For a callable answer of a function exercise, calls it on each case here, in the kernel,
    and writes the encoded outputs (stopping at the first exception, as the checks do).
    """
    request = json.loads(request_text)
    name, out, model_dir = request["name"], request["out"], request["model_dir"]
    if name not in learner:
        _write(out, {"found": False})
        return
    value = learner[name]
    if request["kind"] != "function" or value is Ellipsis or not callable(value):
        _write(out, {"found": True, "value": encode(value, model_dir)})
        return
    outputs = []
    raised = None
    for case in request["cases"]:
        args = decode(case)
        try:
            result = value(*args)
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - SystemExit from a learner's function is an answer too
            raised = {"type": type(err).__name__[:80], "message": str(err)[:500]}
            break
        outputs.append(encode(result, model_dir))
    _write(out, {"found": True, "callable": True, "outputs": outputs, "raised": raised})
