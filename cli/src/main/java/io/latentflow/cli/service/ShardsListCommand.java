package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.SourceOffsetRange;
import io.latentflow.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow shards list}: the committed shards, as the shards topic announces them. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Every committed shard (read_committed),"
        + " oldest commit first: uri, model version, members, bytes, sha256, event-time range.")
final class ShardsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Option(names = "--model", paramLabel = "VERSION", description = "Only the shards of this model version.")
    String model;

    @Option(names = "--since", paramLabel = "TIME", description = "Only shards committed at or after this"
            + " instant (2026-12-06T03:00:00Z) or this long ago (PT1H).")
    String since;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Instant from = since == null ? Instant.MIN : parseSince(since, Instant.now());
        List<ShardCommitted> shards;
        try (CommittedTopicReader reader = new CommittedTopicReader(service.resolve().kafka().clientProperties())) {
            shards = reader.readFrom(Topics.SHARDS, Map.of(), AvroCodec.of(ShardCommitted.class));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        shards.stream()
                .filter(shard -> model == null || model.equals(shard.getModelVersion()))
                .filter(shard -> !shard.getCommitTime().isBefore(from))
                .sorted(Comparator.comparing(ShardCommitted::getCommitTime))
                .forEach(shard -> rows.add(row(shard)));
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, rows);
        } else {
            out.printf("%-24s %-28s %8s %12s %s%n", "COMMITTED", "MODEL", "MEMBERS", "BYTES", "URI");
            rows.forEach(row -> out.printf("%-24s %-28s %8d %12d %s%n", row.get("commitTime"),
                    row.get("modelVersion"), row.get("members"), row.get("bytes"), row.get("shardUri")));
        }
        out.flush();
        return 0;
    }

    static Instant parseSince(String since, Instant now) {
        try {
            return since.startsWith("P") || since.startsWith("p") ? now.minus(Duration.parse(since))
                    : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since " + since + " is neither an instant (2026-12-06T03:00:00Z)"
                    + " nor a duration (PT1H, P1D)");
        }
    }

    private static Map<String, Object> row(ShardCommitted shard) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("shardUri", shard.getShardUri());
        row.put("modelVersion", shard.getModelVersion());
        row.put("latentSpace", shard.getLatentSpace());
        row.put("members", shard.getMembers());
        row.put("imageIds", shard.getImageIds());
        row.put("imageIdsComplete", shard.getImageIdsComplete());
        row.put("bytes", shard.getBytes());
        row.put("sha256", shard.getSha256());
        row.put("minEventTime", shard.getMinEventTime().toString());
        row.put("maxEventTime", shard.getMaxEventTime().toString());
        List<Map<String, Object>> ranges = new ArrayList<>();
        for (SourceOffsetRange range : shard.getSourceRanges()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("topic", range.getTopic());
            r.put("partition", range.getPartition());
            r.put("firstOffset", range.getFirstOffset());
            r.put("lastOffset", range.getLastOffset());
            ranges.add(r);
        }
        row.put("sourceRanges", ranges);
        row.put("checkpointId", shard.getCheckpointId());
        row.put("commitTime", shard.getCommitTime().toString());
        return row;
    }
}
