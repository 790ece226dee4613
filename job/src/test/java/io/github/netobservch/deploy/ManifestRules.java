package io.github.netobservch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobOptions;
import io.github.netobservch.deploy.DeployFiles.Doc;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.util.TimeUtils;

/**
 * Project rules for the deployment files that a CRD schema cannot express. Each rule adds
 * human-readable violations; an empty list means the set of documents is deployable as documented in
 * flink-k8s/README.md. The rules look at the whole set at once because several are cross-file
 * (topic names, jar path vs Dockerfile, Secrets referenced vs provided, session job vs cluster).
 */
final class ManifestRules {

    static final String MAIN_CONTAINER = "flink-main-container";
    static final String USRLIB_URI_PREFIX = "local:///opt/flink/usrlib/";
    static final Set<String> DURABLE_SCHEMES =
            Set.of("s3", "s3a", "s3p", "gs", "abfs", "abfss", "wasb", "wasbs", "hdfs", "oss");
    static final Set<String> UPGRADE_MODES = Set.of("savepoint", "last-state");
    /** Paths Flink writes to; with a read-only root filesystem each needs a volume. */
    static final List<String> WRITABLE_PATHS = List.of("/tmp", "/opt/flink/log");
    /** Flink 1.x checkpoint keys renamed in 2.x (FLINK-34482): the manifests use the new names. */
    static final Map<String, String> DEPRECATED_KEYS = Map.of(
            "state.checkpoints.dir", "execution.checkpointing.dir",
            "state.savepoints.dir", "execution.checkpointing.savepoint-dir",
            "state.checkpoint-storage", "execution.checkpointing.storage",
            "state.checkpoints.num-retained", "execution.checkpointing.num-retained",
            "state.backend.incremental", "execution.checkpointing.incremental",
            "state.backend", "state.backend.type");

    /** Words that make a key, option or variable name a secret's. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "password|passwd|secret|token|jaas|credential|access[-_.]?key|private[-_.]?key", Pattern.CASE_INSENSITIVE);
    /** Secret material spelled inline, e.g. a JAAS line or a URL with user info. */
    private static final Pattern SECRET_VALUE =
            Pattern.compile("password\\s*=|://[^/@\\s]+:[^/@\\s]+@", Pattern.CASE_INSENSITIVE);

    private static final String PLACEHOLDER = "CHANGE-ME";

    /** A job to run and where it runs: its own FlinkDeployment, or the session cluster of a FlinkSessionJob. */
    record JobRef(Doc doc, JsonNode job, Doc cluster, Map<String, String> config) {

        List<String> args() {
            List<String> args = new ArrayList<>();
            job.path("args").forEach(a -> args.add(a.asText()));
            return args;
        }
    }

    private final List<Doc> docs;
    private final String dockerfile;
    private final List<String> violations = new ArrayList<>();

    private ManifestRules(List<Doc> docs, String dockerfile) {
        this.docs = docs;
        this.dockerfile = dockerfile;
    }

    /** Every rule over the given documents and Dockerfile text. */
    static List<String> check(List<Doc> docs, String dockerfile) {
        ManifestRules r = new ManifestRules(docs, dockerfile);
        r.noInlineSecrets();
        r.secretTemplatesArePlaceholders();
        r.referencedSecretsExist();
        r.jarPaths();
        r.flinkVersionMatchesImage();
        r.upgradeModes();
        r.checkpointing();
        r.taskManagerMemory();
        r.taskManagerHeapTouchedAtStart();
        r.highAvailability();
        r.mainContainer();
        r.nonRoot();
        r.topicsAgree();
        r.kafkaAcls();
        r.sessionJobsHaveACluster();
        r.jobArgumentsLoad();
        return List.copyOf(r.violations);
    }

    // ------------------------------------------------------------------------------------ secrets

    /** No secret values in flinkConfiguration, job args, env {@code value:} or any {@code password:}-like field. */
    private void noInlineSecrets() {
        for (Doc doc : docs) {
            if (doc.kind().equals("Secret")) {
                continue;
            }
            walk(doc, doc.node(), "");
            for (Iterator<String> keys =
                            doc.node().path("spec").path("flinkConfiguration").fieldNames();
                    keys.hasNext(); ) {
                String key = keys.next();
                if (SECRET_NAME.matcher(key).find()) {
                    add(
                            doc,
                            "flinkConfiguration key '" + key + "' would put a secret into the rendered"
                                    + " ConfigMap; mount a Secret through podTemplate instead");
                }
            }
        }
        for (JobRef job : jobs()) {
            List<String> args = job.args();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (SECRET_VALUE.matcher(arg).find()) {
                    add(job.doc(), "job argument #" + i + " carries an inline credential");
                }
                if (arg.startsWith("--")) {
                    String key = arg.substring(2).split("=", 2)[0];
                    if (SECRET_NAME.matcher(key).find() && !key.endsWith("-file") && !key.endsWith("-env")) {
                        add(
                                job.doc(),
                                "job argument --" + key + " passes a secret value; use its -file or -env"
                                        + " form (a mounted Secret or a secretKeyRef variable)");
                    }
                }
            }
        }
    }

    private void walk(Doc doc, JsonNode node, String path) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                JsonNode value = e.getValue();
                String here = path + "." + key;
                if (key.equals("env") && value.isArray()) {
                    for (JsonNode env : value) {
                        String name = env.path("name").asText();
                        if (env.has("value")
                                && (SECRET_NAME.matcher(name).find()
                                        || SECRET_VALUE
                                                .matcher(env.path("value").asText())
                                                .find())) {
                            add(doc, here + ": variable " + name + " has an inline value; use valueFrom.secretKeyRef");
                        }
                    }
                }
                if (value.isValueNode()
                        && !value.asText().isEmpty()
                        && isSecretField(key)
                        && !fromSecretKey(doc, here, value.asText())) {
                    add(doc, here + " holds a literal secret value");
                }
                walk(doc, value, here);
            }
        } else if (node.isArray()) {
            int i = 0;
            for (JsonNode item : node) {
                walk(doc, item, path + "[" + i++ + "]");
            }
        }
    }

    /**
     * A grafana-operator GrafanaDatasource field whose value is {@code ${key}} and which a {@code
     * spec.valuesFrom} entry fills from a Secret's {@code key} (the operator's substitution): a
     * reference, not a value.
     */
    private static boolean fromSecretKey(Doc doc, String path, String value) {
        java.util.regex.Matcher ref = Pattern.compile("\\$\\{(\\w+)}").matcher(value);
        if (!doc.kind().equals("GrafanaDatasource") || !ref.matches()) {
            return false;
        }
        for (JsonNode v : doc.node().path("spec").path("valuesFrom")) {
            if (path.equals(".spec.datasource." + v.path("targetPath").asText())
                    && v.path("valueFrom")
                            .path("secretKeyRef")
                            .path("key")
                            .asText()
                            .equals(ref.group(1))) {
                return true;
            }
        }
        return false;
    }

    /** {@code password}, {@code token}, {@code secretKey}, ... -- not {@code secretName} or {@code passwordSecret}. */
    private static boolean isSecretField(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return k.endsWith("password")
                || k.equals("passwd")
                || k.equals("token")
                || k.endsWith("apitoken")
                || k.equals("secret")
                || k.equals("secretkey")
                || k.equals("accesskey")
                || k.endsWith("jaas.config")
                || k.equals("privatekey");
    }

    /** Secret templates carry readable placeholders only ({@code stringData} with CHANGE-ME, no {@code data}). */
    private void secretTemplatesArePlaceholders() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("Secret")) {
                continue;
            }
            if (doc.node().has("data")) {
                add(doc, "Secret templates use stringData placeholders, not base64 data");
            }
            doc.node().path("stringData").fields().forEachRemaining(e -> {
                if (!e.getValue().asText().contains(PLACEHOLDER)) {
                    add(doc, "stringData." + e.getKey() + " is not a " + PLACEHOLDER + " placeholder");
                }
            });
        }
    }

    /**
     * Every Secret a FlinkDeployment references is provided: a template in flink-k8s/secrets/ (with the
     * referenced key), a KafkaUser (Strimzi writes a Secret of the same name) or a Strimzi cluster CA.
     */
    private void referencedSecretsExist() {
        Map<String, Set<String>> templates = new LinkedHashMap<>();
        Set<String> strimzi = new TreeSet<>();
        for (Doc doc : docs) {
            switch (doc.kind()) {
                case "Secret" -> {
                    Set<String> keys = new TreeSet<>();
                    doc.node().path("stringData").fieldNames().forEachRemaining(keys::add);
                    templates.put(doc.name(), keys);
                }
                case "KafkaUser" -> strimzi.add(doc.name());
                case "KafkaTopic" ->
                    strimzi.add(doc.node()
                                    .path("metadata")
                                    .path("labels")
                                    .path("strimzi.io/cluster")
                                    .asText() + "-cluster-ca-cert");
                default -> {}
            }
        }
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            for (JsonNode ref : doc.node().findValues("secretKeyRef")) {
                String name = ref.path("name").asText();
                String key = ref.path("key").asText();
                if (templates.containsKey(name)) {
                    if (!templates.get(name).contains(key)) {
                        add(doc, "secretKeyRef " + name + "/" + key + ": the template has no key " + key);
                    }
                } else if (!strimzi.contains(name)) {
                    add(doc, "secretKeyRef names Secret " + name + ", which no template or Strimzi resource provides");
                }
            }
            for (JsonNode volume : doc.node().findValues("volumes")) {
                for (JsonNode v : volume) {
                    String name = v.path("secret").path("secretName").asText("");
                    if (!name.isEmpty() && !templates.containsKey(name) && !strimzi.contains(name)) {
                        add(
                                doc,
                                "volume " + v.path("name").asText() + " mounts Secret " + name
                                        + ", which no template or Strimzi resource provides");
                    }
                }
            }
        }
    }

    // --------------------------------------------------------------------------------- image/jar

    /** Application jarURI = a COPY target of the Dockerfile under usrlib; session jobs use https. */
    private void jarPaths() {
        Set<String> copied = dockerCopyTargets(dockerfile);
        for (JobRef job : jobs()) {
            String uri = job.job().path("jarURI").asText("");
            if (job.doc().kind().equals("FlinkSessionJob")) {
                if (!uri.startsWith("https://")) {
                    add(
                            job.doc(),
                            "FlinkSessionJob jarURI '" + uri + "' is not https:// (the only scheme"
                                    + " operator 1.15.0 fetches by default)");
                }
                continue;
            }
            if (!uri.startsWith(USRLIB_URI_PREFIX)) {
                add(job.doc(), "jarURI '" + uri + "' is not under " + USRLIB_URI_PREFIX);
            }
            String path = uri.startsWith("local://") ? uri.substring("local://".length()) : uri;
            if (!copied.contains(path)) {
                add(job.doc(), "jarURI path '" + path + "' is not where the Dockerfile copies the jar " + copied);
            }
        }
    }

    static Set<String> dockerCopyTargets(String dockerfile) {
        Set<String> targets = new LinkedHashSet<>();
        for (String line : dockerfile.split("\n")) {
            String l = line.trim();
            if (l.regionMatches(true, 0, "COPY ", 0, 5) || l.regionMatches(true, 0, "ADD ", 0, 4)) {
                String[] parts = l.split("\\s+");
                targets.add(parts[parts.length - 1]);
            }
        }
        return targets;
    }

    /** The base image's Flink minor (default of ARG FLINK_IMAGE or FROM flink:X.Y) = every flinkVersion. */
    private void flinkVersionMatchesImage() {
        Matcher m = Pattern.compile("(?m)^(?:ARG FLINK_IMAGE=|FROM\\s+)flink:(\\d+)\\.(\\d+)")
                .matcher(dockerfile);
        if (!m.find()) {
            violations.add("Dockerfile: no flink:X.Y base image found");
            return;
        }
        String expected = "v" + m.group(1) + "_" + m.group(2);
        for (Doc doc : docs) {
            if (doc.kind().equals("FlinkDeployment")) {
                String v = doc.node().path("spec").path("flinkVersion").asText();
                if (!v.equals(expected)) {
                    add(doc, "flinkVersion " + v + " does not match the Dockerfile base image (" + expected + ")");
                }
            }
        }
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(dockerfile);
        String last = null;
        while (user.find()) {
            last = user.group(1);
        }
        if (last == null || last.equals("root") || last.equals("0") || last.startsWith("0:")) {
            violations.add("Dockerfile: the image must end with a non-root USER (flink), found " + last);
        }
    }

    // ------------------------------------------------------------------------- state & recovery

    private void upgradeModes() {
        for (JobRef job : jobs()) {
            String mode = job.job().path("upgradeMode").asText("stateless (default)");
            if (!UPGRADE_MODES.contains(mode)) {
                add(job.doc(), "upgradeMode " + mode + " loses state on upgrade; use savepoint or last-state");
            }
        }
    }

    private void checkpointing() {
        for (Doc doc : docs) {
            for (String key : flinkConfiguration(doc).keySet()) {
                if (DEPRECATED_KEYS.containsKey(key)) {
                    add(
                            doc,
                            "flinkConfiguration key " + key + " is the Flink 1.x name; use "
                                    + DEPRECATED_KEYS.get(key));
                }
            }
        }
        for (JobRef job : jobs()) {
            Map<String, String> conf = job.config();
            String interval = conf.get("execution.checkpointing.interval");
            if (interval == null) {
                add(
                        job.doc(),
                        "checkpointing is off (no execution.checkpointing.interval): the sink commits on checkpoints");
            } else {
                try {
                    Duration d = TimeUtils.parseDuration(interval);
                    if (d.isZero() || d.isNegative()) {
                        add(job.doc(), "execution.checkpointing.interval must be positive, got " + interval);
                    }
                } catch (IllegalArgumentException e) {
                    add(job.doc(), "execution.checkpointing.interval '" + interval + "' is not a duration");
                }
            }
            String mode = conf.getOrDefault("execution.checkpointing.mode", "EXACTLY_ONCE");
            if (!mode.equalsIgnoreCase("EXACTLY_ONCE")) {
                add(job.doc(), "execution.checkpointing.mode " + mode + " breaks exactly-once");
            }
            durable(job.doc(), job.cluster(), conf, "execution.checkpointing.dir");
            durable(job.doc(), job.cluster(), conf, "execution.checkpointing.savepoint-dir");
        }
    }

    /**
     * Least task heap per slot on the heap backend: the dedup's live keys at one slot's share of a
     * core (~5k flows/s × the 60 s window × ~235 B per key ≈ 70 MB, times a margin for a flow burst
     * or a longer window) plus the writers' open batches and the Kafka fetches (flink-k8s/README.md).
     */
    static final MemorySize MIN_TASK_HEAP_PER_SLOT = MemorySize.parse("512m");

    /**
     * The TaskManager's memory as Flink will split it, with Flink's own calculator, from the pod's
     * {@code spec.taskManager.resource.memory} (the operator's {@code
     * taskmanager.memory.process.size}) and {@code flinkConfiguration}: the split must add up, and on
     * the heap backend the task heap holds the dedup state, so managed memory (RocksDB's, unused
     * there; Flink's default fraction takes 0.4 of it) must not take it.
     */
    private void taskManagerMemory() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            String memory = doc.node()
                    .path("spec")
                    .path("taskManager")
                    .path("resource")
                    .path("memory")
                    .asText("");
            if (memory.isEmpty()) {
                add(doc, "spec.taskManager.resource.memory is not set");
                continue;
            }
            Map<String, String> conf = flinkConfiguration(doc);
            Configuration flink = Configuration.fromMap(conf);
            TaskExecutorProcessSpec spec;
            try {
                flink.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(memory));
                spec = TaskExecutorProcessUtils.processSpecFromConfig(flink);
            } catch (IllegalArgumentException | IllegalConfigurationException e) {
                add(doc, "the TaskManager memory does not add up: " + e.getMessage());
                continue;
            }
            if (!conf.getOrDefault("state.backend.type", "hashmap").equalsIgnoreCase("hashmap")) {
                continue;
            }
            if (spec.getManagedMemorySize().getBytes() > 0) {
                add(
                        doc,
                        "managed memory (" + spec.getManagedMemorySize().getMebiBytes() + " MiB"
                                + ") is unused on the hashmap state backend and taken from the task heap that"
                                + " holds the dedup state: set taskmanager.memory.managed.fraction to 0.0");
            }
            int slots = Integer.parseInt(conf.getOrDefault("taskmanager.numberOfTaskSlots", "1"));
            MemorySize perSlot = new MemorySize(spec.getTaskHeapSize().getBytes() / slots);
            if (perSlot.compareTo(MIN_TASK_HEAP_PER_SLOT) < 0) {
                add(
                        doc,
                        "task heap per slot " + perSlot.getMebiBytes() + " MiB is below "
                                + MIN_TASK_HEAP_PER_SLOT.getMebiBytes() + " MiB"
                                + ": too little for the dedup state on the hashmap backend");
            }
        }
    }

    /**
     * The TaskManager JVM touches its heap at start ({@code -XX:+AlwaysPreTouch} in {@code
     * env.java.opts.taskmanager} or {@code env.java.opts.all}): the pod's memory is resident from the
     * start, and the benchmark, which runs its JVM the same way, measures what the job's threads
     * cost on a TaskManager (docs/performance.md).
     */
    private void taskManagerHeapTouchedAtStart() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            Map<String, String> conf = flinkConfiguration(doc);
            String opts = conf.getOrDefault("env.java.opts.all", "") + " "
                    + conf.getOrDefault("env.java.opts.taskmanager", "");
            List<String> flags = List.of(opts.trim().split("\\s+"));
            int on = flags.lastIndexOf("-XX:+AlwaysPreTouch");
            if (on < 0 || flags.lastIndexOf("-XX:-AlwaysPreTouch") > on) {
                add(
                        doc,
                        "the TaskManager JVM does not touch its heap at start: add -XX:+AlwaysPreTouch to"
                                + " env.java.opts.taskmanager");
            }
        }
    }

    private void highAvailability() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            Map<String, String> conf = flinkConfiguration(doc);
            if (!"kubernetes".equalsIgnoreCase(conf.get("high-availability.type"))) {
                add(doc, "high-availability.type must be kubernetes (needed by last-state and the savepoint fallback)");
            }
            durable(doc, doc, conf, "high-availability.storageDir");
        }
    }

    /** An object-store URI, or a file:// path on a PersistentVolumeClaim mounted in the main container. */
    private void durable(Doc doc, Doc cluster, Map<String, String> conf, String key) {
        String value = conf.get(key);
        if (value == null || value.isBlank()) {
            add(doc, key + " is not set");
            return;
        }
        String scheme;
        try {
            scheme = URI.create(value).getScheme();
        } catch (IllegalArgumentException e) {
            add(doc, key + " '" + value + "' is not a URI");
            return;
        }
        if (scheme != null && DURABLE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
            return;
        }
        if ("file".equals(scheme)
                && cluster != null
                && onPersistentVolume(cluster, URI.create(value).getPath())) {
            return;
        }
        add(doc, key + " '" + value + "' is not durable storage (object store, or file:// on a PVC mount)");
    }

    private static boolean onPersistentVolume(Doc cluster, String path) {
        JsonNode pod = cluster.node().path("spec").path("podTemplate").path("spec");
        Set<String> pvcVolumes = new TreeSet<>();
        pod.path("volumes").forEach(v -> {
            if (v.has("persistentVolumeClaim")) {
                pvcVolumes.add(v.path("name").asText());
            }
        });
        for (JsonNode mount : mainContainer(cluster).path("volumeMounts")) {
            String mountPath = mount.path("mountPath").asText();
            if (pvcVolumes.contains(mount.path("name").asText())
                    && (path.equals(mountPath)
                            || path.startsWith(mountPath.endsWith("/") ? mountPath : mountPath + "/"))) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------ pods

    /** podTemplate has flink-main-container, its mounts name declared volumes, read-only root has scratch volumes. */
    private void mainContainer() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            JsonNode main = mainContainer(doc);
            if (main.isMissingNode()) {
                add(
                        doc,
                        "spec.podTemplate has no container named " + MAIN_CONTAINER
                                + " (the operator merges only that name into the Flink container)");
                continue;
            }
            Set<String> volumes = new TreeSet<>();
            doc.node()
                    .path("spec")
                    .path("podTemplate")
                    .path("spec")
                    .path("volumes")
                    .forEach(v -> volumes.add(v.path("name").asText()));
            Set<String> mountPaths = new TreeSet<>();
            for (JsonNode mount : main.path("volumeMounts")) {
                mountPaths.add(mount.path("mountPath").asText());
                if (!volumes.contains(mount.path("name").asText())) {
                    add(doc, "volumeMount " + mount.path("name").asText() + " has no volume in spec.podTemplate");
                }
            }
            if (main.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false)) {
                for (String path : WRITABLE_PATHS) {
                    if (!mountPaths.contains(path)) {
                        add(doc, "readOnlyRootFilesystem without a volume at " + path + ", where Flink writes");
                    }
                }
            }
        }
    }

    private void nonRoot() {
        for (Doc doc : docs) {
            if (!doc.kind().equals("FlinkDeployment")) {
                continue;
            }
            JsonNode spec = doc.node().path("spec");
            JsonNode podSecurity = spec.path("podTemplate").path("spec").path("securityContext");
            if (!podSecurity.path("runAsNonRoot").asBoolean(false)) {
                add(doc, "spec.podTemplate.spec.securityContext.runAsNonRoot must be true");
            }
            JsonNode main = mainContainer(doc);
            if (main.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)) {
                add(doc, MAIN_CONTAINER + " must set securityContext.allowPrivilegeEscalation: false");
            }
            for (JsonNode ctx : List.of(
                    podSecurity,
                    main.path("securityContext"),
                    spec.path("jobManager").path("podTemplate").path("spec").path("securityContext"),
                    spec.path("taskManager").path("podTemplate").path("spec").path("securityContext"))) {
                if (ctx.path("runAsUser").asInt(-1) == 0
                        || ctx.path("runAsGroup").asInt(-1) == 0
                        || (ctx.has("runAsNonRoot") && !ctx.path("runAsNonRoot").asBoolean())) {
                    add(doc, "a securityContext runs as root: " + ctx);
                }
            }
        }
    }

    static JsonNode mainContainer(Doc doc) {
        for (JsonNode c :
                doc.node().path("spec").path("podTemplate").path("spec").path("containers")) {
            if (MAIN_CONTAINER.equals(c.path("name").asText())) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    // ------------------------------------------------------------------------------ Kafka side

    /** Job topics (args or default) = Strimzi KafkaTopic names = FlowCollector exporter topics. */
    private void topicsAgree() {
        Set<String> jobTopics = new TreeSet<>();
        for (JobRef job : jobs()) {
            jobTopics.addAll(jobTopics(job));
        }
        Set<String> strimziTopics = new TreeSet<>(strimziTopics());
        Set<String> exporterTopics = new TreeSet<>();
        for (Doc doc : docs) {
            if (doc.kind().equals("FlowCollector")) {
                for (JsonNode exporter : doc.node().path("spec").path("exporters")) {
                    if (exporter.path("type").asText().equals("Kafka")) {
                        exporterTopics.add(exporter.path("kafka").path("topic").asText());
                    }
                }
            }
        }
        if (jobTopics.isEmpty()
                || strimziTopics.isEmpty()
                || exporterTopics.isEmpty()
                || !jobTopics.equals(strimziTopics)
                || !jobTopics.equals(exporterTopics)) {
            violations.add("topics disagree: job " + jobTopics + ", Strimzi KafkaTopic " + strimziTopics
                    + ", FlowCollector exporter " + exporterTopics);
        }
    }

    /** The job's KafkaUser may read its topics and group; some KafkaUser may write the exporter's topic. */
    private void kafkaAcls() {
        for (JobRef job : jobs()) {
            String group = option(job, JobOptions.KAFKA_GROUP_ID.key(), JobOptions.KAFKA_GROUP_ID.defaultValue());
            for (String topic : jobTopics(job)) {
                if (!anyUserAllows("topic", topic, "Read")) {
                    add(job.doc(), "no KafkaUser may Read topic " + topic);
                }
            }
            if (!anyUserAllows("group", group, "Read")) {
                add(job.doc(), "no KafkaUser may Read consumer group " + group);
            }
        }
        for (String topic : strimziTopics()) {
            if (!anyUserAllows("topic", topic, "Write")) {
                violations.add("no KafkaUser may Write topic " + topic + " (NetObserv's producer)");
            }
        }
    }

    private boolean anyUserAllows(String type, String name, String operation) {
        for (Doc doc : docs) {
            if (!doc.kind().equals("KafkaUser")) {
                continue;
            }
            for (JsonNode acl : doc.node().path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                String pattern = resource.path("patternType").asText("literal");
                String resourceName = resource.path("name").asText();
                boolean matches = pattern.equals("prefix")
                        ? name.startsWith(resourceName)
                        : resourceName.equals(name) || resourceName.equals("*");
                boolean allows = acl.path("type").asText("allow").equals("allow");
                boolean hasOp = false;
                for (JsonNode op : acl.path("operations")) {
                    hasOp |= op.asText().equals(operation) || op.asText().equals("All");
                }
                if (resource.path("type").asText().equals(type) && matches && allows && hasOp) {
                    return true;
                }
            }
        }
        return false;
    }

    private Set<String> strimziTopics() {
        Set<String> topics = new TreeSet<>();
        for (Doc doc : docs) {
            if (doc.kind().equals("KafkaTopic")) {
                topics.add(doc.node().path("spec").path("topicName").asText(doc.name()));
            }
        }
        return topics;
    }

    private static List<String> jobTopics(JobRef job) {
        String topics =
                option(job, JobOptions.KAFKA_TOPICS.key(), String.join(";", JobOptions.KAFKA_TOPICS.defaultValue()));
        return Arrays.stream(topics.split(";"))
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .toList();
    }

    /** A job option's value from {@code --key value} / {@code --key=value} arguments, else the default. */
    private static String option(JobRef job, String key, String defaultValue) {
        List<String> args = job.args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--" + key) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith("--" + key + "=")) {
                return args.get(i).substring(key.length() + 3);
            }
        }
        return defaultValue;
    }

    // ------------------------------------------------------------------------------ jobs

    private void sessionJobsHaveACluster() {
        for (Doc doc : docs) {
            if (doc.kind().equals("FlinkSessionJob")) {
                Doc cluster = deployment(
                        doc.node().path("spec").path("deploymentName").asText());
                if (cluster == null) {
                    add(
                            doc,
                            "deploymentName "
                                    + doc.node()
                                            .path("spec")
                                            .path("deploymentName")
                                            .asText() + " names no FlinkDeployment");
                } else if (cluster.node().path("spec").has("job")) {
                    add(doc, "deploymentName " + cluster.name() + " is an application cluster (has spec.job)");
                }
            }
        }
    }

    /**
     * The job's own configuration loader accepts the arguments, with the environment the pods get
     * (secretKeyRef variables stand in as a non-secret marker): unknown or misspelled options and
     * inline secret values fail here as they would at submission.
     */
    private void jobArgumentsLoad() {
        for (JobRef job : jobs()) {
            Map<String, String> env = new LinkedHashMap<>();
            if (job.cluster() != null) {
                for (JsonNode e : mainContainer(job.cluster()).path("env")) {
                    env.put(
                            e.path("name").asText(),
                            e.has("value") ? e.path("value").asText() : "<from-secret>");
                }
            }
            try {
                ConfigLoader.load(job.args().toArray(String[]::new), env);
            } catch (RuntimeException e) {
                add(job.doc(), "the job rejects its arguments: " + e.getMessage());
            }
        }
    }

    /** The jobs in a set of documents (see {@link #jobs()}). */
    static List<JobRef> jobsOf(List<Doc> docs) {
        return new ManifestRules(docs, "").jobs();
    }

    /** Every job: FlinkDeployments with spec.job, and FlinkSessionJobs with their session cluster's config. */
    private List<JobRef> jobs() {
        List<JobRef> jobs = new ArrayList<>();
        for (Doc doc : docs) {
            JsonNode job = doc.node().path("spec").path("job");
            if (doc.kind().equals("FlinkDeployment") && job.isObject()) {
                jobs.add(new JobRef(doc, job, doc, flinkConfiguration(doc)));
            } else if (doc.kind().equals("FlinkSessionJob")) {
                Doc cluster = deployment(
                        doc.node().path("spec").path("deploymentName").asText());
                Map<String, String> conf = new LinkedHashMap<>();
                if (cluster != null) {
                    conf.putAll(flinkConfiguration(cluster));
                }
                conf.putAll(flinkConfiguration(doc));
                jobs.add(new JobRef(doc, job, cluster, conf));
            }
        }
        return jobs;
    }

    private Doc deployment(String name) {
        for (Doc doc : docs) {
            if (doc.kind().equals("FlinkDeployment") && doc.name().equals(name)) {
                return doc;
            }
        }
        return null;
    }

    static Map<String, String> flinkConfiguration(Doc doc) {
        Map<String, String> conf = new LinkedHashMap<>();
        doc.node()
                .path("spec")
                .path("flinkConfiguration")
                .fields()
                .forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    private void add(Doc doc, String message) {
        violations.add(doc + ": " + message);
    }
}
