package dev.wasmhost.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.FunctionType;
import dev.wasmhost.ValueType;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link FunctionType} writes out its {@code equals} and {@code hashCode} (for start-up time): they
 * must still be what the record's would be, equality of the parameter and result lists.
 */
class FunctionTypePropertiesTest {
  @Provide
  Arbitrary<List<ValueType>> types() {
    return Arbitraries.of(ValueType.class).list().ofMaxSize(4);
  }

  @Property(tries = 300)
  void equalListsMakeEqualTypesWithEqualHashes(
      @ForAll("types") List<ValueType> params, @ForAll("types") List<ValueType> results) {
    FunctionType type = FunctionType.of(params, results);
    FunctionType copy = FunctionType.of(new ArrayList<>(params), new ArrayList<>(results));
    assertThat(copy).isEqualTo(type);
    assertThat(copy.hashCode()).isEqualTo(type.hashCode());
  }

  @Property(tries = 300)
  void typesAreEqualExactlyWhenBothListsAre(
      @ForAll("types") List<ValueType> params,
      @ForAll("types") List<ValueType> results,
      @ForAll("types") List<ValueType> otherParams,
      @ForAll("types") List<ValueType> otherResults) {
    FunctionType type = FunctionType.of(params, results);
    FunctionType other = FunctionType.of(otherParams, otherResults);
    assertThat(type.equals(other)).isEqualTo(params.equals(otherParams) && results.equals(otherResults));
    assertThat(type.equals(type.toString())).isFalse();
    assertThat(type.equals(null)).isFalse();
  }
}
