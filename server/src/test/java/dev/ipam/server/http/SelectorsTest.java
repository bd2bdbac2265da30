package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.Refs;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The label and field selector syntax, as a table. */
class SelectorsTest {
    static final IPClaim CLAIM = new IPClaim("p1",
            new ObjectMeta("c1", "default", "u", 5, 1, 0, new TreeMap<>(Map.of("app", "web", "tier", "front")), null),
            new IPClaim.Spec(IPFamily.IPv4, 28, new Refs.PoolRef("pool-a", null), null, null, null, null),
            new IPClaim.Status(dev.ipam.core.model.ClaimPhase.Bound, "10.0.0.0/28", null, null, List.of()));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "app=web|true", "app==web|true", "app!=web|false", "app!=db|true", "app|true", "!app|false", "!zone|true",
        "app in (web,db)|true", "app in (db)|false", "app notin (db)|true", "app notin (web)|false",
        "zone notin (a)|true", "zone in (a)|false", "app=web,tier=front|true", "app=web,tier=back|false",
        "app in (web, db),!zone|true", "' app = web '|true", "''|true"})
    void labels(String selector, boolean matches) {
        assertEquals(matches, Selectors.labels(selector).matches(CLAIM), selector);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "metadata.name=c1|true", "metadata.name!=c1|false", "metadata.namespace=default|true",
        "spec.poolRef.name=pool-a|true", "spec.ipFamily==IPv4|true", "status.phase=Bound|true",
        "status.phase=Bound,spec.ipFamily=IPv6|false"})
    void fields(String selector, boolean matches) {
        assertEquals(matches, Selectors.fields(selector, Kind.IPCLAIM).matches(CLAIM), selector);
    }

    @ParameterizedTest
    @ValueSource(strings = {"app in (a", "app in a)", "app in ()", "-app=x", "app=-x-", "app inn (a)", "a/b/c=x",
        "app=" + "x" + "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", ","})
    void badLabelSelectorsAre400(String selector) {
        ApiException e = assertThrows(ApiException.class, () -> Selectors.labels(selector));
        assertEquals(400, e.code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spec.cidr=x", "nonsense", "=x", "status.allocatedCIDR=10.0.0.0/28"})
    void badFieldSelectorsAre400(String selector) {
        ApiException e = assertThrows(ApiException.class, () -> Selectors.fields(selector, Kind.IPCLAIM));
        assertEquals(400, e.code);
    }
}
