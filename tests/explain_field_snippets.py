"""Broken Keras 3 snippets written the way learners write them in public bug reports and Q&A threads.

Each snippet is our own code, modelled on the situation in the thread named by ``source`` (the URL
of the thread). It runs as a notebook cell would: in a fresh namespace holding ``np``, ``keras``
and ``layers``, and it must raise. ``kind`` is the explanation it must get; ``modest`` whether the
objects prove no cause (no fix, only what to check); ``words`` must appear in the explanation.
Three or more per kind, with different layers, sizes and APIs (Sequential, functional, subclassed).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Snippet:
    id: str
    kind: str
    source: str
    api: str          # sequential, functional or subclassed
    code: str
    modest: bool = False
    words: tuple = field(default=())


S = Snippet
SNIPPETS = [
    # ---------------------------------------------------------------- return_sequences left on, one label per sequence
    S("retseq-seq-cce", "output-has-timesteps",
      "https://newbe.dev/error-when-checking-target-expected-dense-1-to-have-3-dimensions-but-got-array-with-shape-118-1",
      "sequential", """
X = np.random.rand(118, 45, 2)
y = keras.utils.to_categorical(np.random.randint(0, 3, 118), 3)
model = keras.Sequential([keras.Input(shape=(45, 2)), layers.LSTM(64, return_sequences=True),
                          layers.LSTM(32, return_sequences=True), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(X, y, epochs=1, verbose=0)
""", words=("keras.layers.LSTM(32)", "return_sequences=False")),
    S("retseq-func-bce", "output-has-timesteps",
      "https://taourl.com/read-2391957.html", "functional", """
inputs = keras.Input(shape=(30, 4))
h = layers.GRU(16, return_sequences=True)(inputs)
out = layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(np.random.rand(50, 30, 4), np.random.randint(0, 2, 50), epochs=1, verbose=0)
""", words=("keras.layers.GRU(16)",)),
    S("retseq-sub-sparse", "output-has-timesteps",
      "https://github.com/keras-team/keras/issues/5214", "subclassed", """
class Tagger(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = layers.SimpleRNN(20, return_sequences=True)
        self.head = layers.Dense(7, activation="softmax")
    def call(self, x):
        return self.head(self.rnn(x))
model = Tagger()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(40, 12, 3), np.random.randint(0, 7, (40,)), epochs=1, verbose=0)
""", words=("keras.layers.SimpleRNN(20)",)),
    S("retseq-seq-mse", "output-has-timesteps",
      "https://github.com/keras-team/keras/issues/3621", "sequential", """
Xt = np.random.random((100, 32, 3)); Yt = np.random.random((100, 3))
model = keras.Sequential([keras.Input(shape=(32, 3)), layers.LSTM(128, return_sequences=True),
                          layers.LSTM(128, return_sequences=True), layers.TimeDistributed(layers.Dense(3))])
model.compile(loss="mse", optimizer="adam")
model.fit(Xt, Yt, epochs=1, verbose=0)
""", words=("keras.layers.LSTM(128)",)),
    # ---------------------------------------------------------------- categorical_crossentropy on class numbers
    S("intlabels-seq", "integer-labels-for-categorical",
      "http://www.readke.com/c/01034051B2022.html", "sequential", """
x_train = np.random.rand(60, 20, 8)
y_train = np.random.randint(0, 5, (60, 1))
model = keras.Sequential([keras.Input(shape=(20, 8)), layers.LSTM(32), layers.Dense(5, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=1, verbose=0)
""", words=("sparse_categorical_crossentropy", "to_categorical(y, 5)")),
    S("intlabels-func", "integer-labels-for-categorical",
      "https://e-com-net.com/article/1188291707914002432.htm", "functional", """
inp = keras.Input(shape=(None, 10))
out = layers.Dense(10, activation="softmax")(layers.GRU(24)(inp))
model = keras.Model(inp, out)
model.compile(loss=keras.losses.categorical_crossentropy, optimizer="adam")
labels = np.array([5, 0, 4, 1, 9, 2, 1, 3] * 4, dtype="uint8")
model.fit(np.random.rand(32, 15, 10), labels, epochs=1, verbose=0)
""", words=("sparse_categorical_crossentropy",)),
    S("intlabels-sub", "integer-labels-for-categorical",
      "https://kiwix.lema.org/stackoverflow.com_en_all_2023-11/questions/67382294/tensorflow-predict-1-of-4-labels-for-text-classification",
      "subclassed", """
class TextClassifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = layers.Embedding(300, 16)
        self.rnn = layers.LSTM(16)
        self.out = layers.Dense(4, activation="softmax")
    def call(self, ids):
        return self.out(self.rnn(self.embed(ids)))
model = TextClassifier()
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.randint(1, 300, (24, 9)), np.random.randint(0, 4, 24).astype("float32"), epochs=1, verbose=0)
""", words=("to_categorical(y, 4)",)),
    # ---------------------------------------------------------------- one-hot labels with the wrong number of columns
    S("onehot-plus1-seq", "one-hot-columns",
      "https://example-a.com/answer/61740817", "sequential", """
labels = np.random.randint(1, 15, 70)
labels[:14] = np.arange(1, 15)
y_train = keras.utils.to_categorical(labels)
model = keras.Sequential([keras.Input(shape=(16, 6)), layers.GRU(32), layers.Dense(14, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(np.random.rand(70, 16, 6), y_train, epochs=1, verbose=0)
""", words=("labels - 1", "column 0")),
    S("onehot-plus1-func", "one-hot-columns",
      "https://taourl.com/read-3015890.html", "functional", """
inputs = keras.Input(shape=(25, 1))
outputs = layers.Dense(3, activation="softmax")(layers.Bidirectional(layers.LSTM(8))(inputs))
model = keras.Model(inputs, outputs)
model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
classes = np.array([1, 2, 3] * 10)
model.fit(np.random.rand(30, 25, 1), keras.utils.to_categorical(classes), epochs=1, verbose=0)
""", words=("labels - 1, 3",)),
    S("onehot-moreclasses-sub", "one-hot-columns",
      "https://community.deeplearning.ai/t/using-keras-tokenizer-yields-values-that-start-at-1-rather-than-at-0/204963",
      "subclassed", """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = layers.LSTM(12)
        self.head = layers.Dense(5, activation="softmax")
    def call(self, x):
        return self.head(self.rnn(x))
model = Net()
model.compile(optimizer="adam", loss="categorical_crossentropy")
y = keras.utils.to_categorical(np.arange(36) % 6, 6)
model.fit(np.random.rand(36, 10, 2), y, epochs=1, verbose=0)
""", words=("Dense(6",)),
    # ---------------------------------------------------------------- encoder-decoder: number of states
    S("states-count-func-h", "state-count-mismatch",
      "https://github.com/keras-team/keras/issues/2995", "functional", """
encoder_inputs = keras.Input(shape=(None, 12))
_, state_h, state_c = layers.LSTM(64, return_state=True)(encoder_inputs)
decoder_inputs = keras.Input(shape=(None, 9))
decoder_outputs = layers.LSTM(64, return_sequences=True)(decoder_inputs, initial_state=state_h)
decoder_outputs = layers.Dense(9, activation="softmax")(decoder_outputs)
model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
model.fit([np.random.rand(16, 7, 12), np.random.rand(16, 5, 9)], np.random.rand(16, 5, 9), epochs=1, verbose=0)
""", words=("initial_state=[h, c]", "holds 2 states")),
    S("states-count-func-list", "state-count-mismatch",
      "https://github.com/kaka-lin/stock-price-predict/issues/1", "functional", """
enc_in = keras.Input(shape=(20, 4))
enc_out, h, c = layers.LSTM(32, return_state=True)(enc_in)
dec_in = keras.Input(shape=(6, 1))
dec = layers.LSTM(32, return_sequences=True)(dec_in, initial_state=[h])
model = keras.Model([enc_in, dec_in], layers.Dense(1)(dec))
model.compile(optimizer="adam", loss="mse")
model.fit([np.random.rand(8, 20, 4), np.random.rand(8, 6, 1)], np.random.rand(8, 6, 1), epochs=1, verbose=0)
""", words=("but got 1",)),
    S("states-count-sub", "state-count-mismatch",
      "https://github.com/tensorflow/tensorflow/issues/58460", "subclassed", """
class Seq2Seq(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = layers.GRU(16, return_state=True)
        self.decoder = layers.LSTM(16, return_sequences=True)
        self.head = layers.Dense(2)
    def call(self, inputs):
        source, target = inputs
        _, h = self.encoder(source)
        return self.head(self.decoder(target, initial_state=[h]))
model = Seq2Seq()
model.compile(optimizer="adam", loss="mse")
model.fit([np.random.rand(8, 10, 3), np.random.rand(8, 4, 2)], np.random.rand(8, 4, 2), epochs=1, verbose=0)
""", words=("LSTM", "but got 1")),
    # ---------------------------------------------------------------- encoder-decoder: size of states
    S("states-size-func", "state-size-mismatch",
      "https://github.com/tensorflow/nmt/issues/67", "functional", """
encoder_inputs = keras.Input(shape=(None, 30))
_, h, c = layers.LSTM(64, return_state=True, name="encoder")(encoder_inputs)
decoder_inputs = keras.Input(shape=(None, 20))
x = layers.LSTM(128, return_sequences=True, name="decoder")(decoder_inputs, initial_state=[h, c])
model = keras.Model([encoder_inputs, decoder_inputs], layers.Dense(20, activation="softmax")(x))
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit([np.random.rand(8, 11, 30), np.random.rand(8, 7, 20)], np.random.rand(8, 7, 20), epochs=1, verbose=0)
""", words=("'encoder'", "keras.layers.LSTM(64, return_sequences=True)")),
    S("states-size-bidi", "state-size-mismatch",
      "https://github.com/ematvey/tensorflow-seq2seq-tutorials/issues/20", "functional", """
enc_in = keras.Input(shape=(15, 8))
_, fh, fc, bh, bc = layers.Bidirectional(layers.LSTM(32, return_state=True))(enc_in)
state_h = layers.Concatenate()([fh, bh]); state_c = layers.Concatenate()([fc, bc])
dec_in = keras.Input(shape=(5, 8))
dec_out = layers.LSTM(32, return_sequences=True)(dec_in, initial_state=[state_h, state_c])
model = keras.Model([enc_in, dec_in], layers.Dense(8)(dec_out))
model.compile(optimizer="adam", loss="mse")
model.fit([np.random.rand(4, 15, 8), np.random.rand(4, 5, 8)], np.random.rand(4, 5, 8), epochs=1, verbose=0)
""", words=("Bidirectional", "2 x 32")),
    S("states-size-gru-sub", "state-size-mismatch",
      "https://github.com/d2l-ai/d2l-en/pull/521", "subclassed", """
class EncoderDecoder(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = layers.GRU(48, return_state=True)
        self.decoder = layers.GRU(24, return_sequences=True)
        self.out = layers.Dense(3)
    def call(self, inputs):
        src, tgt = inputs
        _, state = self.encoder(src)
        return self.out(self.decoder(tgt, initial_state=[state]))
model = EncoderDecoder()
model.compile(optimizer="adam", loss="mse")
model.fit([np.random.rand(6, 9, 3), np.random.rand(6, 4, 3)], np.random.rand(6, 4, 3), epochs=1, verbose=0)
""", words=("24 units", "48 wide")),
    # ---------------------------------------------------------------- axes in the wrong order: channels first
    S("axes-eeg-func", "axes-in-wrong-order",
      "https://datascience.stackexchange.com/questions/17567/eeg-data-layout-for-rnn/17610", "functional", """
eeg = np.random.rand(20, 64, 256)          # (trials, electrodes, samples in time)
inputs = keras.Input(shape=(256, 64))
model = keras.Model(inputs, layers.Dense(2, activation="softmax")(layers.LSTM(16)(inputs)))
model.predict(eeg, verbose=0)
""", words=("transpose(0, 2, 1)",)),
    S("axes-keras12968-seq", "axes-in-wrong-order",
      "https://github.com/keras-team/keras/issues/12968", "sequential", """
data = np.random.rand(12, 3, 1000)
label = np.random.randint(0, 2, 12)
model = keras.Sequential([keras.Input(shape=(1000, 3)), layers.LSTM(8), layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(data, label, epochs=1, verbose=0)
""", words=("data = data.transpose(0, 2, 1)",)),
    S("axes-conv-sub", "axes-in-wrong-order",
      "https://p.gyb.elementfx.com/2076-3425/13/2/240", "sequential", """
signals = np.random.rand(16, 22, 250)      # (trials, channels, time), channels first
model = keras.Sequential([keras.Input(shape=(250, 22)), layers.Conv1D(8, 5, activation="relu"),
                          layers.GlobalAveragePooling1D(), layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(signals, np.random.randint(0, 4, 16), epochs=1, verbose=0)
""", words=("(16, 22, 250)",)),
    # ---------------------------------------------------------------- (N, 1, F) before a Conv1D
    S("onestep-seq", "one-timestep",
      "https://github.com/yangwohenmai/LSTM/issues/19", "sequential", """
train = np.random.rand(22, 20)
X = train.reshape(train.shape[0], 1, train.shape[1])
model = keras.Sequential([keras.Input(shape=(X.shape[1], X.shape[2])), layers.Conv1D(16, 3, activation="relu"),
                          layers.Flatten(), layers.Dense(1)])
""", words=("x.reshape(-1, 20, 1)",)),
    S("onestep-unbuilt-fit", "one-timestep",
      "https://w3toppers.com/dimension-of-shape-in-conv1d/", "sequential", """
X = np.random.rand(569, 30)
X = X.reshape(569, 1, 30)
model = keras.Sequential([layers.Conv1D(2, 2, activation="relu"), layers.GlobalMaxPooling1D(), layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, np.random.randint(0, 2, 569), epochs=1, verbose=0)
""", words=("30 timesteps of 1 feature",)),
    S("onestep-func", "one-timestep",
      "https://datascience.stackexchange.com/questions/77277/what-is-the-meaning-of-each-element-in-input-shape-of-conv1d-in-keras",
      "functional", """
inputs = keras.Input(shape=(1, 95))
x = layers.Conv1D(100, 3, activation="relu")(inputs)
""", words=("1 timestep of 95 features",)),
    # ---------------------------------------------------------------- one-hot rows fed to an Embedding
    S("onehot-emb-seq", "one-hot-into-embedding",
      "https://python-pypi.wekeepcoding.com/article/13994816/keras+embedding+layer+modification+for+multiple+time+steps+with+one+feature",
      "sequential", """
vocabulary_size = 40
seqs = keras.utils.to_categorical(np.random.randint(0, vocabulary_size, (30, 6)), vocabulary_size)
model = keras.Sequential([layers.Embedding(vocabulary_size, 32), layers.LSTM(80), layers.Dense(vocabulary_size, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(seqs, keras.utils.to_categorical(np.random.randint(0, 40, 30), 40), epochs=1, verbose=0)
""", words=("argmax(axis=-1)", "one-hot")),
    S("onehot-emb-func", "one-hot-into-embedding",
      "http://pullrequest.ru/8445039/obuchenie-neural-netowrk-dlya-vstraivaniya-slov", "functional", """
vocab_size = 50
inp = keras.Input(shape=(12, vocab_size))
x = layers.Embedding(vocab_size, 8)(inp)
x = layers.GRU(16)(x)
""", words=("input_dim",)),
    S("onehot-emb-sub", "one-hot-into-embedding",
      "https://caroline-wall.github.io/applied_machine_learning_public/july_28_response", "subclassed", """
class Sentiment(keras.Model):
    def __init__(self):
        super().__init__()
        self.embedding = layers.Embedding(25, 4)
        self.rnn = layers.SimpleRNN(8)
        self.out = layers.Dense(1, activation="sigmoid")
    def call(self, x):
        return self.out(self.rnn(self.embedding(x)))
reviews = np.eye(25)[np.random.randint(0, 25, (10, 7))]
model = Sentiment()
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(reviews, np.random.randint(0, 2, 10), epochs=1, verbose=0)
""", words=("reviews = reviews.argmax(axis=-1)",)),
    # ---------------------------------------------------------------- the data's whole shape as input_shape
    S("xshape-seq", "data-shape-as-input-shape",
      "https://www.pythond.com/52081/como-procesar-la-forma-de-entrada-y-salida-para-keras-lstm.html", "sequential", """
X_train = np.random.rand(100, 9, 1)
model = keras.Sequential([layers.LSTM(32, input_shape=X_train.shape), layers.Dense(2)])
""", words=("X_train.shape[1:]",)),
    S("xshape-input-func", "data-shape-as-input-shape",
      "https://errorhandle.ai/understanding-keras-lstm-input-shape", "functional", """
X = np.random.rand(100, 50, 2)
inputs = keras.Input(shape=X.shape)
outputs = layers.Dense(1)(layers.LSTM(64)(inputs))
""", words=("X.shape[1:]", "100 samples")),
    S("xshape-gru-seq", "data-shape-as-input-shape",
      "https://taourl.com/read-2972450.html", "sequential", """
series = np.random.rand(365, 14, 3)
model = keras.Sequential([keras.Input(shape=series.shape), layers.GRU(10), layers.Dense(1)])
""", words=("series.shape[1:]",)),
    # ---------------------------------------------------------------- Conv1D without a timesteps axis
    S("conv2d-func", "conv-needs-3d",
      "https://openillumi.com/en/en-keras-conv1d-fix-ndim3-error", "functional", """
series_input_train = np.random.rand(200, 30)
series_input = keras.Input(shape=(series_input_train.shape[1],), name="series_input")
x = layers.Conv1D(filters=32, kernel_size=5, strides=1, padding="causal", activation="relu")(series_input)
""", words=("keras.Input(shape=(30, 1))",)),
    S("conv2d-seq", "conv-needs-3d",
      "https://codemia.io/knowledge-hub/path/how_is_the_keras_conv1d_input_specified_i_seem_to_be_lacking_a_dimension",
      "sequential", """
x_2d = np.random.randn(128, 60).astype("float32")
model = keras.Sequential([keras.Input(shape=(60,)), layers.Conv1D(16, 3, activation="relu"), layers.GlobalMaxPooling1D(),
                          layers.Dense(1)])
""", words=("60 timesteps of 1 feature",)),
    S("conv-after-lstm", "conv-needs-3d",
      "https://viralsfire.com/post/input-0-of-layer-conv1d-is-incompatible-with-the-layer", "sequential", """
model = keras.Sequential([keras.Input(shape=(30, 5)), layers.LSTM(64), layers.Conv1D(32, 3), layers.Flatten(), layers.Dense(1)])
""", words=("keras.layers.LSTM(64, return_sequences=True)",)),
    # ---------------------------------------------------------------- model.reset_states() in Keras 3
    S("reset-seq", "model-reset-states",
      "https://github.com/MITDeepLearning/introtodeeplearning/issues/174", "sequential", """
model = keras.Sequential([keras.Input(batch_shape=(1, None)), layers.Embedding(83, 16), layers.LSTM(32, return_sequences=True, stateful=True),
                          layers.Dense(83)])
model.reset_states()
""", words=("layer.reset_state()", "'lstm")),
    S("reset-func", "model-reset-states",
      "https://github.com/yangwohenmai/LSTM/issues/19", "functional", """
inp = keras.Input(batch_shape=(1, 1, 1))
out = layers.Dense(3)(layers.LSTM(4, stateful=True)(inp))
model = keras.Model(inp, out)
for i in range(2):
    model.reset_states()
""", words=("reset_state()",)),
    S("reset-sub", "model-reset-states",
      "https://github.com/keras-team/tf-keras/issues/61", "subclassed", """
class Generator(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = layers.GRU(8, stateful=True, return_sequences=True)
        self.out = layers.Dense(5)
    def call(self, x):
        return self.out(self.rnn(x))
gen = Generator()
gen(np.zeros((2, 3, 5), "float32"))
gen.reset_states()
""", words=("Generator",)),
    # ---------------------------------------------------------------- Keras 1/2 arguments
    S("k2-input-length", "keras2-argument",
      "https://github.com/tensorflow/tensorflow/issues/26590", "sequential", """
model = keras.Sequential([layers.LSTM(512, input_length=32, input_dim=10), layers.Dense(1)])
""", words=("keras.Input(shape=(32, features))",)),
    S("k2-batch-size", "keras2-argument",
      "https://github.com/yangwohenmai/LSTM/issues/19", "sequential", """
n_neurons, n_batch = 4, 1
model = keras.Sequential()
model.add(layers.LSTM(units=n_neurons, batch_size=n_batch, input_shape=(1, 1)))
""", words=("batch_size=1",)),
    S("k2-dropout-w-func", "keras2-argument",
      "https://github.com/keras-team/keras/issues/5214", "functional", """
x = keras.Input(shape=(None, 100))
h = layers.LSTM(64, dropout_W=0.2, dropout_U=0.2, return_sequences=True)(x)
""", words=("dropout=0.2",)),
    S("k2-conv-input-length", "keras2-argument",
      "https://github.com/codebasics/deep-learning-keras-tf-tutorial/issues/22", "sequential", """
model = keras.Sequential([layers.Conv1D(32, 3, input_length=4), layers.GlobalMaxPooling1D()])
""", words=("keras.Input(shape=(4, features))",)),
    # ---------------------------------------------------------------- TimeDistributed after the last step only
    S("td-seq", "time-distributed-needs-sequences",
      "https://github.com/keras-team/keras/issues/815", "sequential", """
hidden_size, vocab = 64, 30
model = keras.Sequential([keras.Input(shape=(10, vocab)), layers.LSTM(hidden_size, return_sequences=True),
                          layers.LSTM(hidden_size), layers.TimeDistributed(layers.Dense(vocab))])
""", words=("keras.layers.LSTM(64, return_sequences=True)",)),
    S("td-func", "time-distributed-needs-sequences",
      "https://github.com/idrori/cu-ssp/issues/3", "functional", """
inputs = keras.Input(shape=(None, 22))
w = layers.GRU(64)(inputs)
y = layers.TimeDistributed(layers.Dense(8, activation="softmax"))(w)
""", words=("keras.layers.GRU(64, return_sequences=True)",)),
    S("td-bidi", "time-distributed-needs-sequences",
      "https://github.com/keras-team/keras/issues/6318", "sequential", """
model = keras.Sequential([keras.Input(shape=(None, 24)), layers.Bidirectional(layers.LSTM(50)),
                          layers.TimeDistributed(layers.Dense(1))])
""", words=("Bidirectional(keras.layers.LSTM(50, return_sequences=True))",)),
    # ---------------------------------------------------------------- Reshape to another number of values
    S("reshape-seq", "reshape-size", "https://techfeed.net/pt/443267/", "sequential", """
model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(10), layers.Reshape((20, 1)), layers.LSTM(32)])
""", modest=True, words=("10 per sample", "Dense(20)")),
    S("reshape-func", "reshape-size",
      "https://github.com/EricGJB/DL-based-signal-detection/issues/2", "functional", """
inp = keras.Input(shape=(2, 128))
x = layers.Flatten()(inp)
x = layers.Reshape((1, 128))(x)
""", modest=True, words=("256",)),
    S("reshape-sub", "reshape-size",
      "http://pullrequest.ru/14707440/zachem-nam-nuzhno-menyat-formu-vvoda-dlya-lstm", "subclassed", """
class Forecaster(keras.Model):
    def __init__(self):
        super().__init__()
        self.reshape = layers.Reshape((6, 3, 1))
        self.rnn = layers.LSTM(8)
    def call(self, x):
        return self.rnn(self.reshape(x))
Forecaster()(np.zeros((4, 9), "float32"))
""", modest=True, words=("9 per sample",)),
    # ---------------------------------------------------------------- Concatenate of sequences of different lengths
    S("concat-func-conv", "concatenate-shapes",
      "https://github.com/keras-team/keras/issues/14248", "functional", """
chars = keras.Input(shape=(140, 70)); words = keras.Input(shape=(140, 50))
conv = layers.MaxPool1D(2)(layers.Conv1D(36, 3)(chars))
z = layers.concatenate([conv, words])
""", modest=True, words=("69 and 140",)),
    S("concat-two-inputs", "concatenate-shapes",
      "https://github.com/xiph/LPCNet/issues/184", "functional", """
a = keras.Input(shape=(15, 20)); b = keras.Input(shape=(16, 64))
joined = layers.Concatenate()([a, b])
""", modest=True, words=("15 and 16",)),
    S("concat-sub", "concatenate-shapes",
      "https://github.com/GoogleCloudPlatform/mlops-with-vertex-ai/issues/22", "subclassed", """
class TwoBranch(keras.Model):
    def __init__(self):
        super().__init__()
        self.left = layers.Conv1D(8, 5)
        self.right = layers.LSTM(8, return_sequences=True)
        self.join = layers.Concatenate()
    def call(self, x):
        return self.join([self.left(x), self.right(x)])
TwoBranch()(np.zeros((2, 12, 3), "float32"))
""", modest=True, words=("8 and 12",)),
    # ---------------------------------------------------------------- ragged sequences as an object array
    S("ragged-obj-seq", "ragged-batch",
      "https://openillumi.com/en/en-keras-lstm-shape-error-data-preprocessing", "sequential", """
sequences = np.array([np.random.rand(n, 2) for n in (5, 9, 3, 7)], dtype=object)
model = keras.Sequential([keras.Input(shape=(None, 2)), layers.LSTM(4), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(sequences, np.zeros((4, 1)), epochs=1, verbose=0)
""", words=("sequences = keras.utils.pad_sequences(sequences", "3 to 9")),
    S("ragged-list-ids", "ragged-batch",
      "https://openillumi.com/?p=74024", "sequential", """
X_list = [[3, 8, 1], [4, 2], [9, 9, 9, 1]]
model = keras.Sequential([keras.Input(shape=(None,)), layers.Embedding(10, 4), layers.GRU(4), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X_list, np.zeros((3, 1)), epochs=1, verbose=0)
""", words=("X_list = keras.utils.pad_sequences(X_list, padding=\"post\", dtype=\"float32\")   #",)),
    S("ragged-obj-func", "ragged-batch",
      "https://www.lemona.fr/www.stackoverflow.com/questions/68689167/failed-to-convert-a-numpy-array-to-a-tensor-unsupported-object-type-numpy-ndarr",
      "functional", """
x_train = np.empty(3, dtype=object)
x_train[0], x_train[1], x_train[2] = np.ones((4, 3)), np.ones((6, 3)), np.ones((2, 3))
inp = keras.Input(shape=(None, 3))
model = keras.Model(inp, layers.Dense(1)(layers.SimpleRNN(2)(inp)))
model.predict(x_train, verbose=0)
""", words=("pad_sequences",)),
    # ---------------------------------------------------------------- stateful fit with a short last batch
    S("stateful-short-seq", "stateful-short-batch",
      "https://github.com/keras-team/keras/issues/1561", "sequential", """
model = keras.Sequential([keras.Input(batch_shape=(4, 5, 3)), layers.LSTM(6, stateful=True), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(10, 5, 3), np.random.rand(10, 1), batch_size=4, shuffle=False, epochs=1, verbose=0)
""", words=("4 + 4 + 2", "x[:8]")),
    S("stateful-short-func-seqout", "stateful-short-batch",
      "https://github.com/keras-team/keras/issues/1938", "functional", """
inputs = keras.Input(shape=(8, 2), batch_size=5)
x = layers.GRU(4, stateful=True, return_sequences=True)(inputs)
model = keras.Model(inputs, layers.TimeDistributed(layers.Dense(1))(x))
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(12, 8, 2), np.random.rand(12, 8, 1), batch_size=5, shuffle=False, epochs=1, verbose=0)
""", words=("5 + 5 + 2",)),
    S("stateful-short-valsplit", "stateful-short-batch",
      "https://github.com/keras-team/keras/issues/10445", "sequential", """
model = keras.Sequential([keras.Input(batch_shape=(5, 5, 7)), layers.LSTM(16, return_sequences=True, stateful=True),
                          layers.LSTM(8, stateful=True), layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(np.random.rand(30, 5, 7), keras.utils.to_categorical(np.random.randint(0, 2, 30), 2), batch_size=5,
          epochs=1, validation_split=0.2, shuffle=False, verbose=0)
""", words=("validation_split",)),
    S("stateful-default-batch", "stateful-short-batch",
      "https://github.com/keras-team/keras/issues/20327", "sequential", """
model = keras.Sequential([keras.Input(batch_shape=[4, 10, 3]), layers.SimpleRNN(10, return_sequences=True, stateful=True),
                          layers.Dense(5)])
model.compile(loss="mse", optimizer="sgd")
model.fit(np.random.rand(100, 10, 3), np.random.rand(100, 10, 5), epochs=1, verbose=0)
""", words=("batch_size=4",)),
]

# Look-alikes with another cause: each must get the named kind (another one, or a modest one), never the
# kind it resembles.
NEAR_MISSES = [
    S("near-perstep-and-horizon", "output-has-timesteps", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(12, 1)), layers.LSTM(8, return_sequences=True), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((16, 12, 1)), np.zeros((16, 3)), epochs=1, verbose=0)
""", modest=True),
    S("near-perstep-wrong-classes", "target-output-mismatch", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(10, 3)), layers.LSTM(8, return_sequences=True), layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(16, 10, 3), keras.utils.to_categorical(np.random.randint(0, 4, (16, 10)), 4), epochs=1, verbose=0)
""", modest=True),
    S("near-categorical-regression", "target-output-mismatch", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(10, 3)), layers.LSTM(8), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(16, 10, 3), np.random.rand(16, 1), epochs=1, verbose=0)
""", modest=True),
    S("near-labels-out-of-range", "target-output-mismatch", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(10, 3)), layers.LSTM(8), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(16, 10, 3), np.arange(16).reshape(16, 1), epochs=1, verbose=0)
""", modest=True),
    S("near-onehot-fewer-columns", "target-output-mismatch", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(10, 3)), layers.GRU(8), layers.Dense(6, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(16, 10, 3), keras.utils.to_categorical(np.arange(16) % 4, 4), epochs=1, verbose=0)
""", modest=True),
    S("near-state-size-not-count", "state-size-mismatch", "", "functional", """
enc = keras.Input(shape=(7, 2)); _, h, c = layers.LSTM(10, return_state=True)(enc)
dec = keras.Input(shape=(3, 2)); out = layers.LSTM(12, return_sequences=True)(dec, initial_state=[h, c])
model = keras.Model([enc, dec], out); model.compile("adam", "mse")
model.fit([np.zeros((4, 7, 2)), np.zeros((4, 3, 2))], np.zeros((4, 3, 12)), epochs=1, verbose=0)
"""),
    S("near-decoder-features", "feature-mismatch", "", "functional", """
enc = keras.Input(shape=(7, 2)); _, h, c = layers.LSTM(10, return_state=True)(enc)
dec = keras.Input(shape=(3, 4)); out = layers.LSTM(10, return_sequences=True)(dec, initial_state=[h, c])
model = keras.Model([enc, dec], out)
model.predict([np.zeros((4, 7, 2)), np.zeros((4, 3, 5))], verbose=0)
"""),
    S("near-features-not-order", "feature-mismatch", "", "functional", """
inputs = keras.Input(shape=(100, 3))
model = keras.Model(inputs, layers.LSTM(4)(inputs))
model.predict(np.zeros((8, 100, 4)), verbose=0)
"""),
    S("near-conv-stack-shortens", "conv-too-short", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(12, 1)), layers.Conv1D(8, 4, strides=2), layers.Conv1D(8, 4, strides=2),
                          layers.Conv1D(8, 4, strides=2)])
"""),
    S("near-ids-with-features-axis", "wrong-ndim", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(None, 1)), layers.Embedding(51, 8), layers.LSTM(16)])
"""),
    S("near-floats-into-embedding", "one-hot-into-embedding", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(12, 7)), layers.Embedding(100, 8), layers.LSTM(16)])
""", modest=True),
    S("near-batch-none-in-shape", "batch-axis-in-shape", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(None, 2, 1)), layers.SimpleRNN(10)])
"""),
    S("near-batch-size-in-shape-no-array", "wrong-ndim", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(32, 10, 1)), layers.LSTM(8)])
""", modest=True),
    S("near-conv-after-dense", "conv-needs-3d", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(20, 3)), layers.Flatten(), layers.Dense(8), layers.Conv1D(8, 3)])
""", modest=True),
    S("near-misspelled-argument", "unknown-layer-argument", "", "sequential", """
layers.LSTM(4, return_sequence=True)
"""),
    S("near-batch-input-shape", "batch-input-shape-removed", "", "sequential", """
layers.LSTM(4, batch_input_shape=(1, 5, 3), stateful=True)
"""),
    S("near-td-after-dense", "time-distributed-needs-sequences", "", "sequential", """
model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(8), layers.TimeDistributed(layers.Dense(1))])
""", modest=True),
    S("near-concat-features-axis1", "concatenate-shapes", "", "functional", """
a = keras.Input(shape=(10, 8)); b = keras.Input(shape=(10, 3))
layers.Concatenate(axis=1)([a, b])
""", modest=True),
    S("near-object-equal-lengths", "object-array", "", "sequential", """
x = np.empty(3, dtype=object)
for i in range(3):
    x[i] = np.ones((4, 2))
model = keras.Sequential([keras.Input(shape=(4, 2)), layers.LSTM(2)])
model.compile("adam", "mse")
model.fit(x, np.zeros((3, 2)), epochs=1, verbose=0)
"""),
    S("near-stateful-wrong-batch-size", "stateful-batch-mismatch", "", "functional", """
inputs = keras.Input(shape=(5, 3), batch_size=2)
model = keras.Model(inputs, layers.SimpleRNN(4, stateful=True)(inputs))
model.predict(np.zeros((3, 5, 3)), batch_size=3, verbose=0)
"""),
    S("near-not-a-model-reset", None, "", "sequential", """
class Scheduler:
    pass
Scheduler().reset_states()
"""),
]
