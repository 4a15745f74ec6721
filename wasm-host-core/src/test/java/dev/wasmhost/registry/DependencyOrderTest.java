package dev.wasmhost.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wasmhost.Loader;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of dependency graphs: random DAGs registered in random order resolve dependencies first
 * and close dependents first; random graphs with a cycle are rejected whole, naming a real cycle.
 */
class DependencyOrderTest {
  /** One loader for every try: calc_v1 is compiled once and shared by digest. */
  private static final Loader LOADER = RegistryFixtures.newLoader();

  private static final byte[] CALC = RegistryFixtures.bytes("calc_v1.wasm");

  /** A subsystem registered before the batch, which node 0 of every graph depends on. */
  private static final String BASE = "base";

  /**
   * A dependency graph: node {@code i} may depend only on nodes of lower index (so the graph is
   * acyclic), except for {@link #backEdge}, which closes a cycle when present.
   *
   * @param ids the id of each node, a shuffled naming so that ids do not follow the order
   * @param order the order in which the nodes are handed to {@code registerAll}
   * @param edges {@code edges.get(i)} are the indexes node {@code i} depends on
   * @param backEdge {@code {from, to}} with {@code from <= to}, or null
   */
  record Graph(List<String> ids, List<Integer> order, List<Set<Integer>> edges, int[] backEdge) {
    int size() {
      return ids.size();
    }

    /** The batch for {@code registerAll}, in {@link #order}, with or without the back edge. */
    Map<String, SubsystemDefinition> batch(boolean withBackEdge) {
      Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
      for (int node : order) {
        batch.put(ids.get(node), SubsystemDefinition.builder(CALC).dependsOn(dependencies(node, withBackEdge)).build());
      }
      return batch;
    }

    String[] dependencies(int node, boolean withBackEdge) {
      List<String> deps = new ArrayList<>();
      if (node == 0) {
        deps.add(BASE);
      }
      edges.get(node).stream().sorted().forEach(d -> deps.add(ids.get(d)));
      if (withBackEdge && backEdge != null && backEdge[0] == node) {
        deps.add(ids.get(backEdge[1]));
      }
      return deps.toArray(new String[0]);
    }

    /** Every (dependent, dependency) pair by id, the base included. */
    List<String[]> edgeIds(boolean withBackEdge) {
      List<String[]> pairs = new ArrayList<>();
      for (int node = 0; node < size(); node++) {
        for (String dep : dependencies(node, withBackEdge)) {
          pairs.add(new String[] {ids.get(node), dep});
        }
      }
      return pairs;
    }

    /** {@code node}'s id with the ids of everything it depends on, transitively. */
    Set<String> closure(int node) {
      Set<String> seen = new TreeSet<>();
      Deque<Integer> todo = new ArrayDeque<>(List.of(node));
      while (!todo.isEmpty()) {
        int next = todo.pop();
        if (seen.add(ids.get(next))) {
          todo.addAll(edges.get(next));
        }
      }
      if (seen.contains(ids.get(0))) {
        seen.add(BASE);
      }
      return seen;
    }

    @Override
    public String toString() {
      return "Graph" + batch(true).entrySet().stream()
          .map(e -> e.getKey() + "->" + e.getValue().dependencies())
          .collect(Collectors.joining(", ", "[", "]"));
    }
  }

  @Provide
  Arbitrary<Graph> dags() {
    return graphs(false);
  }

  @Provide
  Arbitrary<Graph> cyclicGraphs() {
    return graphs(true);
  }

  private static Arbitrary<Graph> graphs(boolean withCycle) {
    return Arbitraries.integers()
        .between(1, 12)
        .flatMap(
            n -> {
              List<Integer> nodes = IntStream.range(0, n).boxed().collect(Collectors.toList());
              Arbitrary<Integer> density = Arbitraries.integers().between(0, 100);
              Arbitrary<List<Integer>> coins = Arbitraries.integers().between(0, 99).list().ofSize(n * (n - 1) / 2);
              Arbitrary<List<Integer>> names = Arbitraries.shuffle(nodes);
              Arbitrary<List<Integer>> order = Arbitraries.shuffle(nodes);
              Arbitrary<List<Integer>> ends = Arbitraries.integers().between(0, n - 1).list().ofSize(2);
              return Combinators.combine(density, coins, names, order, ends)
                  .as(
                      (d, c, nm, ord, e) -> {
                        List<Set<Integer>> edges = new ArrayList<>();
                        int coin = 0;
                        for (int i = 0; i < n; i++) {
                          Set<Integer> deps = new HashSet<>();
                          for (int j = 0; j < i; j++) {
                            if (c.get(coin++) < d) {
                              deps.add(j);
                            }
                          }
                          edges.add(deps);
                        }
                        int[] back = null;
                        if (withCycle) {
                          int low = Math.min(e.get(0), e.get(1));
                          int high = Math.max(e.get(0), e.get(1));
                          if (high != low) {
                            edges.get(high).add(low); // high -> low, closed by the back edge low -> high
                          }
                          back = new int[] {low, high};
                        }
                        List<String> ids = nm.stream().map(k -> "s" + k).collect(Collectors.toList());
                        return new Graph(ids, ord, edges, back);
                      });
            });
  }

  @Property(tries = 150)
  void dependenciesResolveFirstAndCloseLast(@ForAll("dags") Graph graph) {
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    Registry registry = Registry.builder().loader(LOADER).build();
    try {
      registry.addListener(events);
      registry.register(BASE, SubsystemDefinition.builder(CALC).build());
      registry.registerAll(graph.batch(false));

      Set<String> all = new TreeSet<>(graph.ids());
      all.add(BASE);
      assertThat(registry.ids()).containsExactlyInAnyOrderElementsOf(all);
      assertThat(events.all).as("registering resolves nothing").isEmpty();

      // Resolving one subsystem brings up exactly it and what it depends on.
      int first = graph.order().get(0);
      assertThat(registry.resolve(graph.ids().get(first)).number()).isEqualTo(1);
      assertThat(events.ids(RegistryEvent.Type.RESOLVED)).containsExactlyInAnyOrderElementsOf(graph.closure(first));
      for (String id : all) {
        assertThat(registry.version(id).isPresent()).as("%s is up", id).isEqualTo(graph.closure(first).contains(id));
      }

      for (int node : graph.order()) {
        registry.resolve(graph.ids().get(node));
      }
      List<String> resolved = events.ids(RegistryEvent.Type.RESOLVED);
      assertThat(resolved).as("each resolved once").containsExactlyInAnyOrderElementsOf(all);
      for (String[] edge : graph.edgeIds(false)) {
        assertThat(resolved.indexOf(edge[1]))
            .as("%s (a dependency of %s) resolved before it, in %s", edge[1], edge[0], resolved)
            .isLessThan(resolved.indexOf(edge[0]));
      }

      registry.close();
      List<String> closed = events.ids(RegistryEvent.Type.CLOSED);
      assertThat(closed).as("each closed once").containsExactlyInAnyOrderElementsOf(all);
      for (String[] edge : graph.edgeIds(false)) {
        assertThat(closed.indexOf(edge[0]))
            .as("%s closed before its dependency %s, in %s", edge[0], edge[1], closed)
            .isLessThan(closed.indexOf(edge[1]));
      }
    } finally {
      registry.close();
    }
  }

  @Property(tries = 150)
  void aBatchWithACycleIsRejectedWholeNamingTheCycle(@ForAll("cyclicGraphs") Graph graph) {
    try (Registry registry = Registry.builder().loader(LOADER).build()) {
      registry.register(BASE, SubsystemDefinition.builder(CALC).build());
      Set<String> before = registry.ids();

      IllegalArgumentException e =
          catchThrowableOfType(IllegalArgumentException.class, () -> registry.registerAll(graph.batch(true)));

      assertThat(e).as("registerAll of %s", graph).isNotNull();
      assertThat(e.getMessage()).contains("dependency cycle");
      List<String> cycle = parseCycle(e.getMessage());
      assertThat(cycle).as("cycle in %s", e.getMessage()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(cycle.get(cycle.size() - 1)).as("the cycle returns to its start").isEqualTo(cycle.get(0));
      assertThat(new HashSet<>(cycle.subList(0, cycle.size() - 1))).as("a simple cycle").hasSize(cycle.size() - 1);
      Set<String> edges =
          graph.edgeIds(true).stream().map(pair -> pair[0] + " -> " + pair[1]).collect(Collectors.toSet());
      for (int i = 0; i + 1 < cycle.size(); i++) {
        assertThat(edges)
            .as("%s names a real dependency of %s", e.getMessage(), graph)
            .contains(cycle.get(i) + " -> " + cycle.get(i + 1));
      }
      assertThat(registry.ids()).as("nothing of the batch was registered").isEqualTo(before);

      // The registry is untouched: the same batch without its back edge registers and resolves.
      registry.registerAll(graph.batch(false));
      for (String id : graph.ids()) {
        assertThat(registry.resolve(id).number()).isEqualTo(1);
      }
    }
  }

  /** The ids of {@code a -> b -> ... -> a} after "dependency cycle", up to the end of its line. */
  private static List<String> parseCycle(String message) {
    String text = message.substring(message.indexOf("dependency cycle") + "dependency cycle".length());
    text = text.replaceFirst("^[:\\s]+", "").lines().findFirst().orElse("").trim();
    return Arrays.stream(text.split(" -> ")).map(String::trim).collect(Collectors.toList());
  }
}
