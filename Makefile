# Build targets for `sam build` (BuildMethod: makefile). SAM builds each CodeUri on its own, which cannot see a
# Maven reactor; so every target depends on `artefacts`, which runs the whole reactor once (skipped when its
# artefacts are already newer than every source and pom), and copies out its own artefact into $(ARTIFACTS_DIR).
# samconfig.toml sets build_in_source = true and parallel = false: SAM then runs the targets one after the other in
# this folder, so the first one builds and the other six find fresh artefacts (MakefileTest counts the Maven runs).
# Without build_in_source SAM copies the folder once per function and each copy would build the reactor again.
MVN ?= mvn -B -ntp -q
LAYER_ZIP := layers/core/target/switchboard-layer.zip
COMPLETION_JAR := functions/completion/target/switchboard-completion.jar
DISCOVERY_JAR := functions/discovery/target/switchboard-discovery.jar
INVALIDATION_JAR := functions/invalidation/target/switchboard-invalidation.jar

# A function's artefact: its own jar's classes, unpacked into the directory SAM zips.
unpack_function = mkdir -p "$(ARTIFACTS_DIR)" && cd "$(ARTIFACTS_DIR)" && unzip -q -o "$(CURDIR)/$(1)" -x 'META-INF/maven/*'

.PHONY: artefacts build-SwitchboardLayer build-CompletionFunction build-CompletionStreamFunction build-DiscoveryFunction build-ModelsFunction \
	build-InvalidationFunction build-InvalidateRouteFunction build-AdminFunction

artefacts:
	@if [ ! -f $(LAYER_ZIP) ] || [ ! -f $(COMPLETION_JAR) ] || [ ! -f $(DISCOVERY_JAR) ] || \
	    [ ! -f $(INVALIDATION_JAR) ] || \
	    [ -n "$$(find shared layers functions pom.xml -newer $(LAYER_ZIP) -name '*.java' -o -newer $(LAYER_ZIP) -name 'pom.xml' 2>/dev/null | head -n 1)" ]; then \
	  $(MVN) -DskipTests -pl layers/core,functions/completion,functions/discovery,functions/invalidation -am package; \
	fi

# A Java layer's content is java/lib/*.jar.
build-SwitchboardLayer: artefacts
	mkdir -p "$(ARTIFACTS_DIR)" && cd "$(ARTIFACTS_DIR)" && unzip -q -o "$(CURDIR)/$(LAYER_ZIP)"

# The function artefact is its own classes only; everything else is in the layer.
build-CompletionFunction: artefacts
	$(call unpack_function,$(COMPLETION_JAR))

# The same classes run behind Lambda Web Adapter: its Handler is run.sh (in the jar), which must be executable.
build-CompletionStreamFunction: artefacts
	$(call unpack_function,$(COMPLETION_JAR))
	chmod 755 "$(ARTIFACTS_DIR)/run.sh"

# The discovery module's jar holds both of its functions' handlers (discovery runs and GET /v1/models).
build-DiscoveryFunction: artefacts
	$(call unpack_function,$(DISCOVERY_JAR))

build-ModelsFunction: artefacts
	$(call unpack_function,$(DISCOVERY_JAR))

# The invalidation module's jar holds both of its functions' handlers (events, and POST /v1/cache/invalidate).
build-InvalidationFunction: artefacts
	$(call unpack_function,$(INVALIDATION_JAR))

build-InvalidateRouteFunction: artefacts
	$(call unpack_function,$(INVALIDATION_JAR))

build-AdminFunction: artefacts
	$(call unpack_function,$(INVALIDATION_JAR))
