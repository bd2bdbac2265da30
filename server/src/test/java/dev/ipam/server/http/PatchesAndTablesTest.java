package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Merge and JSON patches, and kubectl's rendering of ages. */
class PatchesAndTablesTest {
    static JsonNode json(String text) throws Exception {
        return Fixture.JSON.readTree(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\":1,\"b\":{\"c\":2}}|{\"b\":{\"c\":null,\"d\":3}}|{\"a\":1,\"b\":{\"d\":3}}",
        "{\"a\":[1,2]}|{\"a\":[3]}|{\"a\":[3]}",
        "{\"a\":1}|{\"a\":null}|{}",
        "{\"a\":{\"b\":1}}|{\"a\":2}|{\"a\":2}"})
    void mergePatch(String target, String patch, String expected) throws Exception {
        assertEquals(json(expected), Patches.merge(json(target), json(patch)));
    }

    @Test
    void jsonPatch() throws Exception {
        JsonNode doc = json("{\"metadata\":{\"labels\":{\"a\":\"1\"}},\"list\":[1,2]}");
        JsonNode patched = Patches.jsonPatch(doc, json("""
                [{"op":"add","path":"/metadata/labels/b","value":"2"},
                 {"op":"remove","path":"/metadata/labels/a"},
                 {"op":"replace","path":"/list/0","value":9},
                 {"op":"add","path":"/list/-","value":3},
                 {"op":"test","path":"/list/1","value":2},
                 {"op":"copy","from":"/list/0","path":"/copied"}]"""));
        assertEquals(json("{\"metadata\":{\"labels\":{\"b\":\"2\"}},\"list\":[9,2,3],\"copied\":9}"), patched);
        assertEquals(422, assertThrows(ApiException.class,
                () -> Patches.jsonPatch(doc, json("[{\"op\":\"test\",\"path\":\"/list/0\",\"value\":5}]"))).code);
        assertEquals(422, assertThrows(ApiException.class,
                () -> Patches.jsonPatch(doc, json("[{\"op\":\"remove\",\"path\":\"/nope\"}]"))).code);
        assertEquals(400, assertThrows(ApiException.class,
                () -> Patches.jsonPatch(doc, json("[{\"op\":\"frobnicate\",\"path\":\"/a\"}]"))).code);
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "59,59s", "119,119s", "120,2m", "150,2m30s", "600,10m", "10799,179m", "10800,3h", "12600,3h30m",
        "28800,8h", "172800,2d", "183600,2d3h", "691200,8d", "63072000,2y", "63158400,2y1d", "315360000,10y"})
    void ages(long seconds, String expected) {
        assertEquals(expected, Tables.humanDuration(Duration.ofSeconds(seconds)));
    }
}
