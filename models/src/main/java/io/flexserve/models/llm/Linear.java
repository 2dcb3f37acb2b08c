package io.flexserve.models.llm;

import io.flexserve.models.llm.checkpoint.HfTensorNames;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.weights.RowMajor;

/**
 * The seven linear layers of a decoder block, in Hugging Face orientation W {@code [out, in]} (y =
 * W·x), and where each lives in {@link DecoderWeights}: q, k, v, gate and up are stored as W; o and
 * down are stored as Wᵀ.
 */
public enum Linear {
  Q("q", Input.ATTN),
  K("k", Input.ATTN),
  V("v", Input.ATTN),
  O("oT", Input.HEADS),
  GATE("gate", Input.MLP),
  UP("up", Input.MLP),
  DOWN("downT", Input.ACT);

  /**
   * The four distinct inputs of a block's linear layers: their activation statistics are shared.
   */
  public enum Input {
    /** attention RMSNorm output {@code [N, H]}, read by q, k, v */
    ATTN,
    /** attention output before the O projection {@code [N, heads·hd]} */
    HEADS,
    /** MLP RMSNorm output {@code [N, H]}, read by gate and up */
    MLP,
    /** SwiGLU activation {@code [N, F]}, read by down */
    ACT
  }

  /** The weight-file key suffix of the stored tensor ({@code l<i>.<key>}). */
  public final String key;

  public final Input input;

  Linear(String key, Input input) {
    this.key = key;
    this.input = input;
  }

  public boolean storedTransposed() {
    return this == O || this == DOWN;
  }

  public int out(LlamaConfig c) {
    switch (this) {
      case Q:
        return c.heads() * c.headDim();
      case K:
      case V:
        return c.kvHeads() * c.headDim();
      case GATE:
      case UP:
        return c.intermediate();
      default:
        return c.hidden();
    }
  }

  public int in(LlamaConfig c) {
    switch (this) {
      case O:
        return c.heads() * c.headDim();
      case DOWN:
        return c.intermediate();
      default:
        return c.hidden();
    }
  }

  public static int inputDim(Input input, LlamaConfig c) {
    switch (input) {
      case HEADS:
        return c.heads() * c.headDim();
      case ACT:
        return c.intermediate();
      default:
        return c.hidden();
    }
  }

  public String hfName(int layer) {
    switch (this) {
      case Q:
        return HfTensorNames.qProj(layer);
      case K:
        return HfTensorNames.kProj(layer);
      case V:
        return HfTensorNames.vProj(layer);
      case O:
        return HfTensorNames.oProj(layer);
      case GATE:
        return HfTensorNames.gateProj(layer);
      case UP:
        return HfTensorNames.upProj(layer);
      default:
        return HfTensorNames.downProj(layer);
    }
  }

  /** The stored tensor of this linear in {@code layer}. */
  public float[] stored(DecoderWeights.Layer layer) {
    switch (this) {
      case Q:
        return layer.q();
      case K:
        return layer.k();
      case V:
        return layer.v();
      case O:
        return layer.oT();
      case GATE:
        return layer.gate();
      case UP:
        return layer.up();
      default:
        return layer.downT();
    }
  }

  /** W {@code [out, in]} of this linear in {@code layer}. */
  public float[] weight(DecoderWeights.Layer layer, LlamaConfig c) {
    float[] s = stored(layer);
    return storedTransposed() ? RowMajor.transpose(s, in(c), out(c)) : s;
  }

  /** The stored form of W {@code [out, in]}. */
  public float[] toStored(float[] w, LlamaConfig c) {
    return storedTransposed() ? RowMajor.transpose(w, out(c), in(c)) : w;
  }

  /** {@code layer} with this linear's stored tensor replaced by {@code stored}. */
  public DecoderWeights.Layer with(DecoderWeights.Layer b, float[] stored) {
    return new DecoderWeights.Layer(
        b.attnNorm(),
        this == Q ? stored : b.q(),
        this == K ? stored : b.k(),
        this == V ? stored : b.v(),
        this == O ? stored : b.oT(),
        b.mlpNorm(),
        this == GATE ? stored : b.gate(),
        this == UP ? stored : b.up(),
        this == DOWN ? stored : b.downT());
  }
}
