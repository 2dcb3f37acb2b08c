package io.flexserve.models.onnx;

import com.google.protobuf.ByteString;
import io.flexserve.models.onnx.proto.Onnx.AttributeProto;
import io.flexserve.models.onnx.proto.Onnx.GraphProto;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;
import io.flexserve.models.onnx.proto.Onnx.NodeProto;
import io.flexserve.models.onnx.proto.Onnx.OperatorSetIdProto;
import io.flexserve.models.onnx.proto.Onnx.StringStringEntryProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import io.flexserve.models.onnx.proto.Onnx.TensorShapeProto;
import io.flexserve.models.onnx.proto.Onnx.TypeProto;
import io.flexserve.models.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds an ONNX model (IR 8, default opset 17) one operator at a time.
 *
 * <p>Each op method appends a node and returns the name of its output, so graph code composes like
 * expressions: {@code g.add(g.gemm(x, w, b, true), residual)}. Names are generated from a
 * caller-given prefix plus a counter and are unique within the graph. Not thread-safe; build one
 * graph per instance.
 *
 * <p><b>Why one class of 450 lines.</b> It is the vocabulary graphs are written in: about fifty
 * short op methods over one node list and one name counter. Split by op family, every graph would
 * hold several builders that must share that list and counter.
 */
public final class GraphBuilder {
  public static final int IR_VERSION = 8;
  public static final int OPSET = 17;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private final Map<String, Integer> extraOpsets = new LinkedHashMap<>();
  private String scope = "";
  private int counter;

  public GraphBuilder(String graphName) {
    graph.setName(graphName);
  }

  /**
   * Sets the prefix of generated node and value names, e.g. {@code "l3/attn"}; purely for readable
   * graphs.
   */
  public GraphBuilder scope(String scope) {
    this.scope = scope.isEmpty() ? "" : scope + "/";
    return this;
  }

  // ---- graph interface
  // ------------------------------------------------------------------------------------------

  /**
   * Declares a float or int64 graph input; a negative dimension is symbolic and named by {@code
   * dimNames}.
   */
  public String input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
    names.add(name);
    return name;
  }

  /**
   * Declares {@code value} as a graph output named {@code name} (an Identity node renames it when
   * needed).
   */
  public String output(String value, String name, TensorProto.DataType type, Object... dims) {
    String out = value.equals(name) ? value : node("Identity", new String[] {value}, name);
    graph.addOutput(valueInfo(out, type, dims));
    return out;
  }

  /**
   * Declares a float initializer whose bytes live in an external weight file: {@code location}
   * relative to the model file, at byte {@code offset}, {@code dims} row-major little-endian
   * float32.
   */
  public String externalFloat(String name, String location, long offset, long... dims) {
    return externalTensor(name, location, offset, TensorProto.DataType.FLOAT, dims);
  }

  /**
   * An external initializer of element type {@code type} (FLOAT or UINT8), as {@link
   * #externalFloat}.
   */
  public String externalTensor(
      String name, String location, long offset, TensorProto.DataType type, long... dims) {
    long bytes =
        switch (type) {
          case FLOAT -> 4L;
          case UINT8 -> 1L;
          default ->
              throw new IllegalArgumentException(
                  "external tensors are float32 or uint8, not " + type);
        };
    for (long d : dims) {
      bytes *= d;
    }
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(type.getNumber())
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", location))
            .addExternalData(entry("offset", Long.toString(offset)))
            .addExternalData(entry("length", Long.toString(bytes)));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    names.add(name);
    return name;
  }

  /** A small int64 constant embedded in the graph (shapes, axes). */
  public String constInts(String hint, long... values) {
    ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    String name = fresh(hint);
    graph.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(values.length)
            .setRawData(ByteString.copyFrom(raw.array())));
    return name;
  }

  /**
   * A tensor of any element type embedded in the graph from its little-endian bytes, {@code dims}
   * row-major: small packed weights such as MatMulNBits' uint8 blocks.
   */
  public String embedded(String hint, TensorProto.DataType type, byte[] raw, long... dims) {
    String name = fresh(hint);
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(type.getNumber())
            .setRawData(ByteString.copyFrom(raw));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  /** A float scalar constant embedded in the graph. */
  public String constFloat(String hint, float value) {
    ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
    String name = fresh(hint);
    graph.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .setRawData(ByteString.copyFrom(raw.array())));
    return name;
  }

  // ---- operators
  // ------------------------------------------------------------------------------------------------

  public String add(String a, String b) {
    return node("Add", new String[] {a, b}, fresh("add"));
  }

  public String sub(String a, String b) {
    return node("Sub", new String[] {a, b}, fresh("sub"));
  }

  public String mul(String a, String b) {
    return node("Mul", new String[] {a, b}, fresh("mul"));
  }

  public String div(String a, String b) {
    return node("Div", new String[] {a, b}, fresh("div"));
  }

  public String erf(String a) {
    return node("Erf", new String[] {a}, fresh("erf"));
  }

  public String matmul(String a, String b) {
    return node("MatMul", new String[] {a, b}, fresh("matmul"));
  }

  /** {@code Y = A·B + C}, or {@code A·Bᵀ + C} when {@code transB}; A must be 2-D. */
  public String gemm(String a, String b, String c, boolean transB) {
    NodeProto.Builder n = nodeBuilder("Gemm", new String[] {a, b, c}, fresh("gemm"));
    if (transB) {
      n.addAttribute(intAttr("transB", 1));
    }
    return emit(n);
  }

  /**
   * {@code Y = A·Bᵀ} with no bias: a projection reading a stored {@code [out, in]} weight, A 2-D.
   */
  public String gemmT(String a, String b) {
    return emit(
        nodeBuilder("Gemm", new String[] {a, b}, fresh("gemm")).addAttribute(intAttr("transB", 1)));
  }

  /** {@code Y = A·B} with no bias, A 2-D. */
  public String gemm(String a, String b) {
    return node("Gemm", new String[] {a, b}, fresh("gemm"));
  }

  public String pow(String a, String b) {
    return node("Pow", new String[] {a, b}, fresh("pow"));
  }

  public String sqrt(String a) {
    return node("Sqrt", new String[] {a}, fresh("sqrt"));
  }

  public String neg(String a) {
    return node("Neg", new String[] {a}, fresh("neg"));
  }

  public String sigmoid(String a) {
    return node("Sigmoid", new String[] {a}, fresh("sigmoid"));
  }

  public String tile(String data, String repeats) {
    return node("Tile", new String[] {data, repeats}, fresh("tile"));
  }

  /** Mean over {@code axes} (an attribute up to opset 17), keeping the reduced dimensions. */
  public String reduceMean(String data, long... axes) {
    return emit(
        nodeBuilder("ReduceMean", new String[] {data}, fresh("reducemean"))
            .addAttribute(intsAttr("axes", axes))
            .addAttribute(intAttr("keepdims", 1)));
  }

  public String gather(String data, String indices) {
    return node("Gather", new String[] {data, indices}, fresh("gather"));
  }

  public String reshape(String data, String shape) {
    return node("Reshape", new String[] {data, shape}, fresh("reshape"));
  }

  public String transpose(String data, long... perm) {
    return emit(
        nodeBuilder("Transpose", new String[] {data}, fresh("transpose"))
            .addAttribute(intsAttr("perm", perm)));
  }

  public String unsqueeze(String data, String axes) {
    return node("Unsqueeze", new String[] {data, axes}, fresh("unsqueeze"));
  }

  public String concat(long axis, String... parts) {
    return emit(nodeBuilder("Concat", parts, fresh("concat")).addAttribute(intAttr("axis", axis)));
  }

  /** {@code Shape(x)[start:end]} as an int64 vector. */
  public String shape(String data, long start, long end) {
    return emit(
        nodeBuilder("Shape", new String[] {data}, fresh("shape"))
            .addAttribute(intAttr("start", start))
            .addAttribute(intAttr("end", end)));
  }

  public String slice(String data, String starts, String ends, String axes) {
    return node("Slice", new String[] {data, starts, ends, axes}, fresh("slice"));
  }

  public String castToFloat(String data) {
    return emit(
        nodeBuilder("Cast", new String[] {data}, fresh("cast"))
            .addAttribute(intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
  }

  public String softmax(String data, long axis) {
    return emit(
        nodeBuilder("Softmax", new String[] {data}, fresh("softmax"))
            .addAttribute(intAttr("axis", axis)));
  }

  public String reduceSum(String data, String axes, boolean keepDims) {
    return emit(
        nodeBuilder("ReduceSum", new String[] {data, axes}, fresh("reducesum"))
            .addAttribute(intAttr("keepdims", keepDims ? 1 : 0)));
  }

  public String max(String a, String b) {
    return node("Max", new String[] {a, b}, fresh("max"));
  }

  public String layerNorm(String x, String scale, String bias, float epsilon) {
    return emit(
        nodeBuilder("LayerNormalization", new String[] {x, scale, bias}, fresh("layernorm"))
            .addAttribute(intAttr("axis", -1))
            .addAttribute(floatAttr("epsilon", epsilon)));
  }

  public String lpNormalize(String x, long axis) {
    return emit(
        nodeBuilder("LpNormalization", new String[] {x}, fresh("l2norm"))
            .addAttribute(intAttr("axis", axis))
            .addAttribute(intAttr("p", 2)));
  }

  /**
   * Imports operator set {@code version} of {@code domain} (e.g. {@code com.microsoft} 1), for
   * {@link #node}.
   */
  public GraphBuilder opset(String domain, int version) {
    extraOpsets.put(domain, version);
    return this;
  }

  /**
   * A node of any operator, for ops without a method here (e.g. ONNX Runtime contrib ops; import
   * their domain with {@link #opset}). An empty input name skips an optional input; an empty output
   * name gets a generated name. {@code attributes} alternate name and value: Integer/Long (int),
   * Float/Double (float) or long[] (ints).
   *
   * @return the output names, in order
   */
  public String[] node(
      String domain, String op, String[] inputs, String[] outputs, Object... attributes) {
    if (attributes.length % 2 != 0) {
      throw new IllegalArgumentException("attributes must alternate name and value");
    }
    String[] named = new String[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      if (outputs[i].isEmpty()) {
        named[i] = fresh(op.toLowerCase(Locale.ROOT));
      } else if (names.add(outputs[i])) {
        named[i] = outputs[i];
      } else {
        throw new IllegalArgumentException("value name '" + outputs[i] + "' is already used");
      }
    }
    NodeProto.Builder n = nodeBuilder(op, inputs, named[0]).setDomain(domain);
    for (int i = 1; i < named.length; i++) {
      n.addOutput(named[i]);
    }
    for (int i = 0; i < attributes.length; i += 2) {
      String name = (String) attributes[i];
      Object value = attributes[i + 1];
      if (value instanceof Integer || value instanceof Long) {
        n.addAttribute(intAttr(name, ((Number) value).longValue()));
      } else if (value instanceof Float || value instanceof Double) {
        n.addAttribute(floatAttr(name, ((Number) value).floatValue()));
      } else if (value instanceof long[] values) {
        n.addAttribute(intsAttr(name, values));
      } else {
        throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
      }
    }
    graph.addNode(n);
    return named;
  }

  /** The finished model. The builder must not be used afterwards. */
  public ModelProto build() {
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("flexserve")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
    extraOpsets.forEach(
        (domain, version) ->
            model.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
    return model.setGraph(graph).build();
  }

  // ---- plumbing
  // -------------------------------------------------------------------------------------------------

  private String node(String op, String[] inputs, String output) {
    return emit(nodeBuilder(op, inputs, output));
  }

  private NodeProto.Builder nodeBuilder(String op, String[] inputs, String output) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    return n;
  }

  private String emit(NodeProto.Builder n) {
    graph.addNode(n);
    return n.getOutput(0);
  }

  private String fresh(String hint) {
    String name;
    do {
      name = scope + hint + "_" + counter++;
    } while (!names.add(name));
    return name;
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Number n) {
        dim.setDimValue(n.longValue());
      } else {
        dim.setDimParam(d.toString());
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  private static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  private static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}
