import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.buildtovalue.client.BuildToValueException;
import dev.buildtovalue.client.Client;
import dev.buildtovalue.client.EnforceResult;
import dev.buildtovalue.client.SystemStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test agent for clients/java (protocol: ../README.md). */
public final class Agent {
  private static Client client;

  private static JsonObject ok() {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    return o;
  }

  private static String str(JsonObject c, String k) {
    JsonElement e = c.get(k);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static JsonObject handle(JsonObject c) throws InterruptedException {
    String op = c.get("op").getAsString();
    switch (op) {
      case "open":
        client = Client.builder(str(c, "target"), str(c, "token")).timeout(Duration.ofMillis(c.get("timeout_ms").getAsLong())).build();
        return ok();
      case "watch": {
        List<String> ids = new ArrayList<>();
        if (c.has("system_ids")) for (JsonElement e : c.getAsJsonArray("system_ids")) ids.add(e.getAsString());
        client.watch(ids);
        return ok();
      }
      case "enforce": {
        List<Client.Message> messages = new ArrayList<>();
        if (c.has("messages")) {
          for (JsonElement e : c.getAsJsonArray("messages")) {
            JsonObject m = e.getAsJsonObject();
            messages.add(new Client.Message(str(m, "role"), str(m, "content")));
          }
        }
        try {
          EnforceResult r = client.enforce(str(c, "system_id"), str(c, "env"), str(c, "prompt"), messages);
          JsonObject o = ok();
          o.addProperty("outcome", r.outcome());
          o.addProperty("allowed", r.allowed());
          o.addProperty("reason", r.reason());
          o.addProperty("source", r.source().name().toLowerCase());
          o.addProperty("decision_id", r.decision().getDecisionId());
          return o;
        } catch (BuildToValueException e) {
          JsonObject o = new JsonObject();
          o.addProperty("ok", false);
          o.addProperty("code", e.code().name());
          o.addProperty("reason", e.reason());
          JsonArray fields = new JsonArray();
          for (BuildToValueException.FieldViolation v : e.fieldViolations()) fields.add(v.field);
          o.add("fields", fields);
          return o;
        }
      }
      case "wait_status": {
        long until = System.nanoTime() + c.get("timeout_ms").getAsLong() * 1_000_000L;
        String want = str(c, "status");
        for (;;) {
          Optional<SystemStatus> s = client.status(str(c, "system_id"));
          if (s.isPresent() && s.get().operationalStatus.equals(want)) {
            JsonObject o = ok();
            o.addProperty("status", s.get().operationalStatus);
            o.addProperty("phase", s.get().lifecyclePhase);
            o.addProperty("revision", s.get().revision);
            return o;
          }
          if (System.nanoTime() > until) {
            JsonObject o = new JsonObject();
            o.addProperty("ok", false);
            o.addProperty("error", "timeout");
            o.addProperty("status", s.map(x -> x.operationalStatus).orElse(null));
            return o;
          }
          Thread.sleep(1);
        }
      }
      case "state": {
        JsonObject o = ok();
        o.addProperty("connected", client.watchConnected());
        o.addProperty("revision", client.watchRevision());
        o.addProperty("reconnects", client.watchReconnects());
        return o;
      }
      case "close":
        if (client != null) client.close();
        client = null;
        return ok();
      default: {
        JsonObject o = new JsonObject();
        o.addProperty("ok", false);
        o.addProperty("error", "unknown op " + op);
        return o;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Gson gson = new Gson();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      System.out.println(gson.toJson(handle(gson.fromJson(line, JsonObject.class))));
      System.out.flush();
    }
    if (client != null) client.close();
  }
}
