"""Lesson 07, sequences of different lengths: Input(shape=(None, F)), pad_sequences, Masking,
Embedding(mask_zero=True), what a masked RNN returns at padded steps, a padded batch and its mask."""
from __future__ import annotations

import numbers

import numpy as np

from .engine import Exercise, Reject, Result, as_shape, describe, int_check, shape_with_tips
from .models import layer_table, model_input_shape


# -- q3: pre or post, padding and truncating ------------------------------------------------------
def _as_int_rows(value):
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (bool, numbers.Number)):
        raise Reject(f"Expected the padded array (or a list of rows), got {describe(value)}.")
    if hasattr(value, "layers"):
        raise Reject(f"Expected the padded array (or a list of rows), got {describe(value)}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject("Your rows have different lengths (or are not numbers). After pad_sequences every row has the "
                     "same length, maxlen: a rectangular array such as [[1, 2], [3, 0]].") from None
    if array.ndim != 2:
        raise Reject(f"Expected a 2-D array (one row per sequence), got shape {array.shape}.")
    return array


def _post_padded(long: list, short: list) -> list:
    """pad_sequences([long, short], maxlen=3, padding='post'): the long row loses its start (truncating 'pre')."""
    return [list(long[-3:]), list(short) + [0] * (3 - len(short))]


def _pre_post_check(long: list, short: list):
    """The check of q3 for the sequences ``long`` (4 values) and ``short`` (2 values)."""
    want_rows = _post_padded(long, short)
    first_want, second_want = tuple(want_rows[0]), tuple(want_rows[1])
    kept_start = tuple(long[:3])

    def check_pre_post(value):
        array = _as_int_rows(value)
        want = np.array(want_rows, dtype=float)
        if array.shape == (2, 4):
            return Result(False, "maxlen=3 makes every row exactly 3 long: the first sequence (4 steps) must lose one.")
        if array.shape == (3, 2):
            return Result(False, "One row per sequence (2 rows), each maxlen=3 long: shape (2, 3).")
        if array.shape != (2, 3):
            return Result(False, f"Your array has shape {array.shape}; two sequences padded or cut to maxlen=3 give (2, 3).")
        if np.array_equal(array, want):
            return Result(True, f"{want_rows} is right: padding='post' puts the zeros at the end, and "
                                "truncating (default 'pre') cuts the first sequence at its start.")
        rows = [tuple(r) for r in array.tolist()]
        first_ok, second_ok = rows[0] == first_want, rows[1] == second_want
        if rows[0] == kept_start and second_ok:
            return Result(False, "The second row is right. But padding= and truncating= are separate settings: "
                                 "truncating is still 'pre', so the 4-step sequence loses its FIRST value.")
        if 0 in rows[0] and 0 not in rows[1]:
            return Result(False, f"The rows keep the order of the sequences: the first row comes from {list(long)}, "
                                 f"the second from {list(short)}.")
        if rows[1] == (0,) + tuple(short):
            return Result(False, "The short row has its zero in front, where padding='pre' puts it: padding='post' "
                                 "puts the zeros after the values.")
        if rows[0] == kept_start:
            return Result(False, "Truncating defaults to 'pre' (it cuts at the start), whatever padding= says.")
        if first_ok and not second_ok:
            return Result(False, "The first row is right; the second keeps its values in order and gets one zero at the end.")
        if ((sorted(rows[0]) == sorted(first_want) and not first_ok)
                or (sorted(rows[1]) == sorted(second_want) and not second_ok)):
            return Result(False, "Padding and truncating never reorder values: keep each sequence's values in their order.")
        if second_ok:
            return Result(False, "The second row is right. The first sequence has 4 values, more than maxlen=3: it is cut, "
                                 "not padded. Which end does truncating cut?")
        return Result(False, f"Not these values. The first row is {list(long)} cut to 3 values, the second {list(short)} "
                             "padded to 3. Which end does each setting change?")

    return check_pre_post


def _pre_post_exercise(long: list, short: list, p: dict) -> Exercise:
    want = _post_padded(long, short)
    return Exercise(
        lesson="07", id="q3", points=1, params=p,
        prompt=f"What does pad_sequences([{list(long)}, {list(short)}], maxlen=3, padding='post') return? Write the rows.",
        reads="post_padded",
        check=_pre_post_check(long, short),
        hints=["padding= says where the zeros go in a short row; truncating= says where a long row is cut. Each has "
               "its own default: 'pre'.",
               "padding='post': zeros at the end. truncating left at 'pre': the long row loses values at its start.",
               f"{want}"],
        answer=f"post_padded = {want}",
    )


# -- q4: the mask Masking computes ----------------------------------------------------------------
def mask_batch():
    """The batch of q4: 2 sequences, 4 steps of 2 features, padded at the end with 0.0.

    Row 0 has a real step of zeros (step 1); row 1 has 2 real steps and 2 padded.
    """
    return np.array([
        [[0.5, 0.1], [0.0, 0.0], [0.2, 0.7], [0.3, 0.0]],
        [[0.9, 0.4], [0.0, 0.6], [0.0, 0.0], [0.0, 0.0]],
    ], dtype="float32")


_Q4_WANT = np.array([[True, False, True, True], [True, True, False, False]])


def _check_mask(value):
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (bool, numbers.Number)):
        raise Reject(f"Expected a boolean array of shape (2, 4), got {describe(value)}.")
    if hasattr(value, "layers"):
        raise Reject(f"Expected a boolean array of shape (2, 4), got {describe(value)}.")
    try:
        raw = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything numpy cannot read
        raise Reject(f"Expected a boolean array of shape (2, 4), got {describe(value)}.") from None
    if raw.dtype.kind not in "biuf":
        raise Reject(f"Expected True/False values, one per step, got {describe(value)}.")
    if raw.shape == (2, 4, 2):
        return Result(False, "A mask has one value per step, not per feature: shape (batch, timesteps) = (2, 4). "
                             "A step is masked only when ALL its features equal mask_value.")
    if raw.shape != (2, 4):
        return Result(False, f"Your mask has shape {raw.shape}; a mask has one value per step: (batch, timesteps) = (2, 4).")
    if raw.dtype.kind in "iuf" and not np.all(np.isin(raw, (0, 1))):
        raise Reject("A mask holds True (keep the step) or False (skip it), or 1/0.")
    mask = raw.astype(bool)
    if np.array_equal(mask, _Q4_WANT):
        return Result(True, "Right, including row 0's step of zeros: Masking cannot tell a real step of all zeros "
                            "from padding, so it skips it too.")
    if np.array_equal(mask, ~_Q4_WANT):
        return Result(False, "Inverted: in a Keras mask True means 'a real step, use it' and False means 'skip it'.")
    if np.array_equal(mask, np.array([[True, True, True, True], [True, True, False, False]])):
        return Result(False, "Row 0, step 1 is [0.0, 0.0]: Masking(mask_value=0.0) masks EVERY step whose features "
                             "are all 0.0. It cannot know this one was real.")
    if mask[0, 3] == (not _Q4_WANT[0, 3]) or mask[1, 1] == (not _Q4_WANT[1, 1]):
        return Result(False, "A step with one zero and one non-zero feature is kept: Masking needs ALL features "
                             "of a step to equal mask_value.")
    wrong = int(np.sum(mask != _Q4_WANT))
    return Result(False, f"{wrong} of the 8 steps are off. Go step by step: masked (False) when both features are 0.0.")


q4 = Exercise(
    lesson="07", id="q4", points=1,
    prompt="Write the mask that Masking(mask_value=0.0) computes for mask_batch (2 sequences, 4 steps, 2 features): "
           "a boolean array, one value per step.",
    reads="batch_mask",
    check=_check_mask,
    hints=["The mask has one True/False per step: shape (batch, timesteps). True = real step, False = skipped.",
           "A step is skipped when all its features equal 0.0: look at each pair [a, b] of mask_batch.",
           "np.array([[True, False, True, True], [True, True, False, False]])"],
    answer="batch_mask = np.array([[True, False, True, True],\n                       [True, True, False, False]])",
)


# -- q7: a masked model on integer ids -------------------------------------------------------------
def _text_model_check(largest_id: int, vector: int, units: int):
    """The check of q7: Embedding(largest_id + 1, vector, mask_zero=True), LSTM(units), Dense(1) on ids."""
    ids, top = largest_id + 1, largest_id
    want_params = [ids * vector, 4 * units * (vector + units + 1), units + 1]

    def check(model):
        rows = layer_table(model)
        got_in = model_input_shape(model)
        types = [r["type"] for r in rows]
        if got_in is not None and len(got_in) == 3:
            return Result(False, f"The model's input is {got_in}. Integer ids come as (batch, timesteps): "
                                 "keras.Input(shape=(None,)). The Embedding adds the features axis.")
        if got_in is not None and got_in != (None, None):
            return Result(False, f"The model's input is {got_in}; reviews of any length need keras.Input(shape=(None,)).")
        if "Masking" in types:
            before = "Embedding" in types and types.index("Masking") < types.index("Embedding")
            where = ("A Masking layer in front of the Embedding looks at the raw ids, along the wrong axis (it masks "
                     "a step when all its features match, and ids have no features axis)" if before else
                     "Masking after the Embedding would compare each id's vector with 0.0, not the id with 0")
            return Result(False, f"Embedding(mask_zero=True) makes the mask itself, from the ids: no Masking layer "
                                 f"is needed. {where}.")
        if types != ["Embedding", "LSTM", "Dense"]:
            return Result(False, f"Your layers are {', '.join(types) or 'none'}; expected Embedding, LSTM, Dense.")
        embedding = next(layer for layer in model.layers if type(layer).__name__ == "Embedding")
        if (embedding.input_dim, embedding.output_dim) == (vector, ids):
            return Result(False, "input_dim and output_dim are swapped: input_dim counts the different ids the "
                                 "layer can look up, output_dim is how many numbers each id becomes.")
        if embedding.input_dim == top:
            return Result(False, f"input_dim={top} holds one row for each of the ids 0 to {top - 1}: the largest "
                                 f"word id, {top}, has no row and would fail. Count the ids again, the padding id 0 "
                                 f"included.")
        if embedding.input_dim < ids:
            return Result(False, f"The Embedding has input_dim={embedding.input_dim}: rows for ids 0 to "
                                 f"{embedding.input_dim - 1} only, fewer than the word ids of the exercise (plus the "
                                 f"padding id 0) need.")
        if embedding.output_dim != vector:
            return Result(False, f"The Embedding gives {embedding.output_dim} numbers per id; the exercise asks for "
                                 f"{vector}.")
        if not embedding.mask_zero:
            return Result(False, "Without mask_zero=True the padding id 0 is read as a word: the LSTM steps through "
                                 "the padding and the answer depends on it.")
        lstm_out, dense_out = rows[1]["output_shape"], rows[2]["output_shape"]
        if isinstance(lstm_out, tuple) and len(lstm_out) == 3:
            return Result(False, f"The LSTM outputs {lstm_out}; one score per review needs its last "
                                 f"step only, (None, {units}): leave return_sequences off.")
        if lstm_out != (None, units):
            return Result(False, f"The LSTM outputs {lstm_out}; the exercise asks for LSTM({units}): {units} units.")
        if dense_out != (None, 1):
            return Result(False, f"The Dense layer outputs {dense_out}; one score per review is Dense(1).")
        want = [embedding.input_dim * vector, *want_params[1:]]
        if [r["params"] for r in rows] != want:
            return Result(False, f"Parameters per layer are {[r['params'] for r in rows]}; expected {want} for "
                                 f"Embedding({embedding.input_dim}, {vector}), LSTM({units}), Dense(1).")
        if embedding.input_dim > ids:
            return Result(True, f"Ids of any length, masked from id 0: padding no longer changes the score. "
                                f"input_dim={embedding.input_dim} works too; {ids} (largest id + 1) is enough: the "
                                f"rows for ids above {top} are never used "
                                f"({(embedding.input_dim - ids) * vector} extra weights).")
        return Result(True, f"Ids of any length, masked from id 0, {sum(want_params)} parameters: padding no longer "
                            "changes the score.")

    return check


def _text_model_exercise(p: dict) -> Exercise:
    top, vector, units = p["largest_id"], p["word_vector"], p["review_units"]
    return Exercise(
        lesson="07", id="q7", points=2, params=p,
        prompt=f"Build text_model: reviews as integer ids of any length (word ids 1..{top}, 0 = padding), "
               f"Embedding to {vector} numbers with the padding masked, LSTM({units}), Dense(1).",
        reads="text_model",
        check=_text_model_check(top, vector, units),
        hints=["The input is a sequence of ids of any length: keras.Input(shape=(None,)).",
               f"input_dim is the largest id + 1 (ids 0..{top}), output_dim is {vector}, and mask_zero=True masks "
               "the padding id 0.",
               f"keras.Sequential([keras.Input(shape=(None,)), keras.layers.Embedding({top + 1}, {vector}, "
               f"mask_zero=True), keras.layers.LSTM({units}), keras.layers.Dense(1)])"],
        answer=(f"text_model = keras.Sequential([\n    keras.Input(shape=(None,)),\n"
                f"    keras.layers.Embedding(input_dim={top + 1}, output_dim={vector}, mask_zero=True),\n"
                f"    keras.layers.LSTM({units}),\n    keras.layers.Dense(1),\n])"),
    )


# -- q8: pad a batch and build its mask yourself ---------------------------------------------------
def _pad_cases(rng):
    cases = [([np.array([[0.5], [0.2], [0.9]]), np.array([[0.4]])],),
             ([np.array([[1.5, 2.5], [0.0, 0.0]]), np.array([[3.5, 0.5], [1.0, 2.0], [0.0, 1.0]])],)]
    for _ in range(3):
        features = int(rng.integers(1, 4))
        seqs = [np.round(rng.normal(size=(int(rng.integers(1, 7)), features)), 2) for _ in range(int(rng.integers(2, 6)))]
        seqs[0][0] = 0.0   # a real step of zeros, which a mask from values would drop
        cases.append((seqs,))
    return cases


def _reference_pad(seqs):
    longest = max(len(s) for s in seqs)
    features = np.asarray(seqs[0]).shape[1]
    padded = np.zeros((len(seqs), longest, features), dtype="float32")
    mask = np.zeros((len(seqs), longest), dtype=bool)
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
        mask[i, :len(s)] = True
    return padded, mask


def _judge_pad(cases, outputs):
    for (seqs,), out in zip(cases, outputs):
        call = f"pad_and_mask(<{len(seqs)} sequences of lengths {[len(s) for s in seqs]}>)"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Reject(f"{call} returned {describe(out)}; return two arrays: padded, mask.")
        want_x, want_mask = _reference_pad(seqs)
        try:
            x, mask = np.asarray(out[0]), np.asarray(out[1])
        except Exception:  # noqa: BLE001
            raise Reject(f"{call} returned something that is not two arrays.") from None
        if x.dtype.kind == "b" and mask.dtype.kind in "f":
            raise Reject(f"{call}: the first array holds True/False and the second numbers: return padded first, "
                         "then mask.")
        if x.dtype.kind not in "iuf" or mask.dtype.kind not in "biuf":
            raise Reject(f"{call}: padded must hold numbers and mask True/False values.")
        if x.shape == want_x.shape[:2]:
            return Result(False, f"{call}: padded has shape {x.shape}; keep the features axis: {want_x.shape}.")
        if x.shape != want_x.shape:
            return Result(False, f"{call}: padded has shape {x.shape}; expected {want_x.shape} "
                                 "(batch, longest length, features).")
        if x.dtype.kind in "iu":
            return Result(False, f"{call}: padded has dtype {x.dtype}, which drops the decimals "
                                 "(0.5 becomes 0). Use float32 (the trap of pad_sequences' default dtype).")
        flipped = np.stack([np.concatenate([np.zeros_like(want_x[i, len(s):]), want_x[i, :len(s)]])
                            for i, s in enumerate(seqs)])
        if np.allclose(x, flipped) and not np.allclose(x, want_x):
            return Result(False, f"{call}: the zeros are in front (pre-padding). This exercise pads at the end (post).")
        if not np.allclose(x, want_x):
            return Result(False, f"{call}: padded holds the wrong values; row i is sequence i, then zeros.")
        if mask.shape == want_x.shape:
            return Result(False, f"{call}: the mask has shape {mask.shape}, one value per feature; a mask has one "
                                 f"value per step: {want_mask.shape}.")
        if mask.shape != want_mask.shape:
            return Result(False, f"{call}: the mask has shape {mask.shape}; expected {want_mask.shape}, one value per step.")
        mask = mask.astype(bool)
        if np.array_equal(mask, ~want_mask):
            return Result(False, f"{call}: the mask is inverted; True marks a real step, False a padded one.")
        if np.array_equal(mask, np.any(want_x != 0, axis=-1)) and not np.array_equal(mask, want_mask):
            return Result(False, f"{call}: the mask marks a real step of zeros as padding. Build it from the lengths, "
                                 "not from the values: a real step stays real whatever it holds.")
        if not np.array_equal(mask, want_mask):
            return Result(False, f"{call}: the mask is wrong at {int(np.sum(mask != want_mask))} step(s); row i is True "
                                 "for its first len(sequence i) steps.")
    return Result(True, f"Padded and masked right on {len(cases)} batches, real steps of zeros included.")


q8 = Exercise(
    lesson="07", id="q8", points=2, kind="function",
    prompt="Write pad_and_mask(seqs): seqs is a list of arrays (length_i, features). Return padded, a float32 array "
           "(batch, longest, features) with zeros after each sequence, and mask, a boolean array (batch, longest), "
           "True at real steps.",
    reads="pad_and_mask",
    make_inputs=_pad_cases,
    check=_judge_pad,
    hints=["Start from zeros of shape (len(seqs), longest, features) in float32, and a mask of False of shape "
           "(len(seqs), longest).",
           "For sequence i of length n: padded[i, :n] = seq and mask[i, :n] = True. Build the mask from the lengths: "
           "a real step may hold zeros.",
           "longest = max(len(s) for s in seqs); features = seqs[0].shape[1]\n"
           "padded = np.zeros((len(seqs), longest, features), 'float32'); mask = np.zeros((len(seqs), longest), bool)\n"
           "for i, s in enumerate(seqs): padded[i, :len(s)] = s; mask[i, :len(s)] = True"],
    answer=("def pad_and_mask(seqs):\n"
            "    longest = max(len(s) for s in seqs)\n"
            "    features = np.asarray(seqs[0]).shape[1]\n"
            "    padded = np.zeros((len(seqs), longest, features), dtype=\"float32\")\n"
            "    mask = np.zeros((len(seqs), longest), dtype=bool)\n"
            "    for i, s in enumerate(seqs):\n"
            "        padded[i, :len(s)] = s\n"
            "        mask[i, :len(s)] = True\n"
            "    return padded, mask"),
)


DEFAULTS = {"readings": 3, "lengths": [4, 9, 2, 7, 3], "step_features": 2, "pad_long": [5, 8, 2, 7], "pad_short": [3, 9],
            "real_steps": 5, "padded_to": 8,
            "vocabulary": 1000, "embedding": 16, "largest_id": 50, "word_vector": 8, "review_units": 16}


def _listed(numbers_: list) -> str:
    return ", ".join(map(str, numbers_[:-1])) + f" and {numbers_[-1]}"


def text_values(p: dict) -> dict:
    """The parameters plus the words and answers the lesson text derives from them."""
    return {**p, "count": len(p["lengths"]), "listed": _listed(p["lengths"]), "last_step": p["padded_to"] - 1,
            "longest": max(p["lengths"]), "copied": p["real_steps"] - 1,
            "id_count": p["largest_id"] + 1, "pad_long_text": str(list(p["pad_long"])),
            "pad_short_text": str(list(p["pad_short"])), "post_padded": str(_post_padded(p["pad_long"], p["pad_short"]))}


TEXTS = [
    "Recordings of **any** length, each step holding **{readings}** sensor readings.",
    "any_length_shape = (None, {readings})",
    "{count} sequences of {listed} steps, each step with {step_features} features (arrays of shape "
    "`(length, {step_features})`).",
    "padded_shape = ({count}, {longest}, {step_features})",
    "What does `pad_sequences([{pad_long_text}, {pad_short_text}], maxlen=3, padding=\"post\")` return?",
    "post_padded = {post_padded}",
    "Another sequence has **{real_steps}** real steps, padded at the end to **{padded_to}**. In the output of the "
    "same kind of layer, the last row `out[0, {last_step}]` is a copy of `out[0, k]`",
    "copied_from_step = {copied}",
    "Predict the output shape of `Embedding(input_dim={vocabulary}, output_dim={embedding}, mask_zero=True)`",
    "embedded_shape = (None, None, {embedding})",
    "(word ids 1 to {largest_id}, 0 for padding), an `Embedding` to {word_vector} numbers per id **with the padding "
    "masked**, `LSTM({review_units})`, then",
    "keras.layers.Embedding(input_dim={id_count}, output_dim={word_vector}, mask_zero=True),\n"
    "    keras.layers.LSTM({review_units}),",
]


def draw(rng) -> dict:
    """Other valid numbers, each exercise's answer different from the published one.

    >>> import numpy as np
    >>> len(draw(np.random.default_rng(0))["lengths"]) >= 4
    True
    """
    while True:
        count = int(rng.integers(4, 8))
        lengths = [int(n) for n in rng.choice(np.arange(2, 13), size=count, replace=False)]
        real = int(rng.integers(3, 10))
        digits = [int(n) for n in rng.choice(np.arange(1, 10), size=6, replace=False)]
        p = {"readings": int(rng.choice([2, 4, 5, 6, 8])), "lengths": lengths,
             "step_features": int(rng.integers(2, 6)), "pad_long": digits[:4], "pad_short": digits[4:], "real_steps": real, "padded_to": real + int(rng.integers(3, 9)),
             "vocabulary": int(rng.choice([200, 500, 2000, 5000, 10000])), "embedding": int(rng.choice([4, 8, 12, 32, 64]))}
        longest, features = max(lengths), p["step_features"]
        fair = (lengths[0] != longest and lengths[0] != min(lengths) and features != longest
                and (count, longest, features) != (5, 9, 2) and (real, p["padded_to"]) != (5, 8)
                and _post_padded(digits[:4], digits[4:]) != _post_padded([5, 8, 2, 7], [3, 9]))
        if fair:
            break
    while True:   # q7: none of the three is the published one, and each typical wrong model stays wrong
        top = int(rng.choice([20, 30, 40, 60, 80, 99, 100, 120, 200, 500]))
        vector = int(rng.choice([4, 6, 10, 12, 16, 24, 32]))
        units = int(rng.choice([8, 12, 20, 24, 32, 48]))
        if vector < top and vector != units:
            return {**p, "largest_id": top, "word_vector": vector, "review_units": units}


# -- q1, q2, q3, q5, q6, q7: the exercises with numbers, for any numbers ---------------------------
# build(DEFAULTS) is the published lesson. q4 (the lesson's own mask_batch) and q8 (function) are
# the same for every variant.
def build(p: dict = DEFAULTS) -> list:
    """The lesson's exercises for the numbers ``p`` (``DEFAULTS``: the published lesson)."""
    p = {**DEFAULTS, **p}
    f = p["readings"]
    lengths, g = p["lengths"], p["step_features"]
    n, longest, first, shortest = len(lengths), max(lengths), lengths[0], min(lengths)
    real, padded = p["real_steps"], p["padded_to"]
    vocab, dim = p["vocabulary"], p["embedding"]
    q1_tips = shape_with_tips((None, f), ("timesteps", "features"), {
        (None, None, f): "keras.Input adds the batch axis itself: give it only (timesteps, features). "
                         "The one None you need stands for the unknown number of timesteps.",
        (f, None): f"Swapped: the open axis is time (any number of steps), and each step carries {f} readings.",
        (f,): f"({f},) has no time axis: with the batch axis added it is 2-D, and an RNN needs 3 axes.",
        (None,): f"That leaves out the features axis: each step carries {f} readings, so (timesteps, {f}).",
        (None, None): f"The number of readings per step is known ({f}): only the number of steps is open.",
        (None, 1): f"Each step carries {f} readings, not 1: the features axis is {f}.",
    }, f"None timesteps: the model accepts a sequence of any length; every step carries {f} features.")

    def any_length(value):
        shape = as_shape(value)
        if len(shape) == 3 and shape[1:] == (None, f) and shape[0] is not None:
            return Result(False, f"{shape[0]} in front is a batch size: keras.Input(shape=...) leaves the batch axis "
                                 "out (Keras adds it). Give only (timesteps, features).")
        return q1_tips(shape)

    any_length.form, any_length.tips, any_length.expected = q1_tips.form, q1_tips.tips, q1_tips.expected
    q1 = Exercise(
        lesson="07", id="q1", points=1, params=p,
        prompt=f"Recordings of any length, each step {f} sensor readings: what shape goes into keras.Input(shape=...)?",
        reads="any_length_shape",
        check=any_length,
        hints=["keras.Input(shape=...) describes one sample: (timesteps, features). Which of the two is unknown?",
               "The length varies, so timesteps is None; the readings per step do not.",
               f"(None, {f})"],
        answer=f"any_length_shape = (None, {f})",
    )
    q2 = Exercise(
        lesson="07", id="q2", points=1, params=p, answer_hints=2,   # its second hint names every size of the answer
        prompt=f"pad_sequences(seqs, dtype='float32') on {n} sequences of {_listed(lengths)} steps, each step {g} "
               f"features (arrays of shape (length, {g})): what shape comes out?",
        reads="padded_shape",
        check=shape_with_tips((n, longest, g), ("batch", "timesteps", "features"), {
            (n, longest): f"Each step keeps its {g} features: pad_sequences pads the time axis and leaves the rest "
                          "of a step alone.",
            (longest, g): f"That is one padded sequence. The result stacks all {n} of them on a batch axis in front.",
            (n, sum(lengths), g): "Padding does not join the sequences end to end: each keeps its own row, made as "
                                  "long as the longest.",
            (n, first, g): "Without maxlen, pad_sequences pads to the longest sequence, not to the first one.",
            (n, shortest, g): "Without maxlen, nothing is cut: the short sequences grow to the longest one.",
            (None, longest, g): "This is an array with a real batch size: count the sequences instead of writing None.",
            (n, g, longest): "Timesteps come before features: (batch, timesteps, features).",
        }, f"Every sequence becomes as long as the longest ({longest} steps); the {g} features of each step stay."),
        hints=["Without maxlen, every sequence is padded to the length of the longest one.",
               f"{n} sequences, the longest has {longest} steps, each step has {g} features: "
                            "(batch, timesteps, features).", f"({n}, {longest}, {g})"],
        answer=f"padded_shape = ({n}, {longest}, {g})",
    )
    last = real - 1
    plain = int_check(last, "the step whose output is repeated", {
        padded - 1: f"Step {padded - 1} is padded: the layer never computes it. It hands out a copy of an earlier "
                    "output instead.",
        padded - 2: f"Step {padded - 2} is padded too, so it holds a copy itself. Which step was the last one "
                    "really computed?",
        real: f"Step {real} is the first padded step (steps count from 0): it is skipped as well.",
        1: f"In the example above the sequence had 2 real steps, so the copy came from step 1. Here it has {real}.",
        0: "Step 0 is real, but more real steps came after it. The layer repeats the output of the last real step.",
    }, why=f"Masked steps are skipped: the state stays the same, and the output of the last real step (index "
           f"{last}) is repeated at every padded step after it.")

    def copied_step(value):
        """Like Python indexing, a negative k counts from the end of the steps: out[0, -1] is the last step."""
        verdict = plain(value)
        number = int(value)
        if -padded <= number < 0:
            same = number + padded
            if same == last:
                return Result(True, f"{number} is right: counted from the end of the {padded} steps it is step "
                                    f"{last}, the last real step, whose output is repeated at every padded step "
                                    "after it.")
            if same > last:
                return Result(False, f"{number} counts from the end: it is step {same}, a padded step itself. "
                                     "Give the index of the last real step.")
            return Result(False, f"{number} counts from the end: it is step {same}, a real step, but not the last "
                                 "one. The layer repeats the output of the last real step.")
        return verdict

    copied_step.form, copied_step.tips = plain.form, plain.tips
    copied_step.expected, copied_step.near = plain.expected, plain.near   # read by the tip tests
    repeats = "At a masked step the layer does not compute; it repeats the output it last computed."
    q5 = Exercise(
        lesson="07", id="q5", points=1, params=p,
        prompt=f"A masked SimpleRNN(3, return_sequences=True) reads a sequence of {real} real steps padded at the end "
               f"to {padded}. out[0, {padded - 1}] (the last, padded step) is a copy of out[0, k]: what is k?",
        reads="copied_from_step",
        check=copied_step,
        hints=[f"Steps are numbered from 0: the {real} real steps are 0 to {real - 1}, the padded ones {real} to "
               f"{padded - 1}.", repeats, f"{real - 1}"],
        release_hints=[repeats],   # the first hint counts the real steps up to the answer
        answer=f"copied_from_step = {real - 1}",
    )
    q6 = Exercise(
        lesson="07", id="q6", points=1, params=p,
        prompt=f"Embedding(input_dim={vocab}, output_dim={dim}, mask_zero=True) on keras.Input(shape=(None,)): "
               "what is its output shape?",
        reads="embedded_shape",
        check=shape_with_tips((None, None, dim), ("batch", "timesteps", "features"), {
            (None, None, vocab): "input_dim is the size of the vocabulary (how many different ids); each id becomes "
                                 f"a vector of output_dim={dim} numbers.",
            (None, dim): f"Embedding keeps the time axis: one vector per id, so every step gets its own {dim} numbers. "
                         "(If your None was the timesteps: an output shape carries the batch axis in front too, "
                         "as summary() shows it.)",
            (None, vocab, dim): f"{vocab} is how many different ids exist, not how many steps a sequence has: the "
                                "length stays open (None).",
            (None, dim, None): f"The new axis goes last: (batch, timesteps, features), with {dim} features per step.",
            (None, None): "That is the input: integer ids, (batch, timesteps). The Embedding adds a features axis.",
            (None, None, 1): "Each id becomes a vector of output_dim numbers, not one number.",
            (None, None, None, dim): "Embedding adds one axis to its input: (None, None) becomes 3-D.",
        }, f"(batch, timesteps) ids in, (batch, timesteps, {dim}) vectors out: the 3-D tensor an RNN reads."),
        hints=["Embedding replaces each integer id by a learned vector of output_dim numbers.",
               "The input (None, None) is (batch, timesteps); the Embedding adds a last axis of size output_dim.",
               f"(None, None, {dim})"],
        answer=f"embedded_shape = (None, None, {dim})",
    )
    q3 = _pre_post_exercise(p["pad_long"], p["pad_short"], p)
    return [q1, q2, q3, q4, q5, q6, _text_model_exercise(p), q8]


EXERCISES = build(DEFAULTS)
q1, q2, q3, q4, q5, q6, q7, q8 = EXERCISES
