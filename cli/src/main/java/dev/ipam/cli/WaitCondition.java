package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.Codec;
import dev.ipam.client.model.Condition;
import java.util.List;

/**
 * What {@code wait --for} waits for: {@code delete}, {@code condition=TYPE[=STATUS]} (status True
 * by default), or {@code jsonpath=EXPR[=VALUE]} (any non-empty value when VALUE is left out).
 */
record WaitCondition(boolean delete, String conditionType, String conditionStatus, String jsonPath, String value) {

    static WaitCondition parse(String text) {
        if (text.equals("delete")) {
            return new WaitCondition(true, null, null, null, null);
        }
        if (text.startsWith("condition=")) {
            String rest = text.substring("condition=".length());
            int eq = rest.indexOf('=');
            String type = eq < 0 ? rest : rest.substring(0, eq);
            if (type.isEmpty()) {
                throw new UsageError("--for=condition=: name the condition type, e.g. --for=condition=Ready");
            }
            return new WaitCondition(false, type, eq < 0 ? "True" : rest.substring(eq + 1), null, null);
        }
        if (text.startsWith("jsonpath=")) {
            String rest = text.substring("jsonpath=".length());
            int close = rest.lastIndexOf('}');
            int eq = rest.indexOf('=', Math.max(0, close));
            String expression = eq < 0 ? rest : rest.substring(0, eq);
            String value = eq < 0 ? null : rest.substring(eq + 1).replaceAll("^['\"]|['\"]$", "");
            JsonPath.select(Codec.JSON.createObjectNode(), expression);
            return new WaitCondition(false, null, null, expression, value);
        }
        throw new UsageError("--for: '" + text + "' is not delete, condition=TYPE[=STATUS] or jsonpath='{.path}'=VALUE");
    }

    boolean holds(JsonNode object) {
        if (conditionType != null) {
            List<Condition> conditions = Codec.JSON.convertValue(object.path("status").path("conditions"),
                    Codec.JSON.getTypeFactory().constructCollectionType(List.class, Condition.class));
            return Condition.find(conditions, conditionType).map(c -> conditionStatus.equalsIgnoreCase(c.status())).orElse(false);
        }
        JsonNode selected = JsonPath.select(object, jsonPath);
        if (selected.isMissingNode() || selected.isNull()) {
            return false;
        }
        return value == null ? !selected.asText("").isEmpty() || selected.isContainerNode() : value.equals(selected.asText());
    }
}
