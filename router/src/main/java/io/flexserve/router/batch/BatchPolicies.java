package io.flexserve.router.batch;

import io.flexserve.router.ModelMenu;
import java.util.List;

/** The batch policies by name; {@link #SLACKFIT} is the default. */
public final class BatchPolicies {
  public static final String SLACKFIT = "slackfit";
  public static final String GREEDY = "greedy";
  public static final String ALWAYS_LARGEST = "always-largest";
  public static final String ALWAYS_SMALLEST = "always-smallest";

  private BatchPolicies() {}

  public static List<String> names() {
    return List.of(SLACKFIT, GREEDY, ALWAYS_LARGEST, ALWAYS_SMALLEST);
  }

  /**
   * @throws IllegalArgumentException for an unknown name, listing the valid ones
   */
  public static BatchPolicy byName(String name) {
    return switch (name) {
      case SLACKFIT -> new SlackFit();
      case GREEDY -> new Greedy();
      case ALWAYS_LARGEST -> new FixedSubnet(ALWAYS_LARGEST, ModelMenu::largest);
      case ALWAYS_SMALLEST -> new FixedSubnet(ALWAYS_SMALLEST, ModelMenu::smallest);
      default ->
          throw new IllegalArgumentException(
              "unknown batch policy '" + name + "'; valid: " + String.join(", ", names()));
    };
  }
}
