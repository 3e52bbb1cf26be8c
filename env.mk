# Offline hygiene for every Reflex command, in one place (included by the Makefile).
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_USE_GRANIAN := true
export NPM_CONFIG_REGISTRY := https://registry.npmjs.org
export NPM_CONFIG_UPDATE_NOTIFIER := false
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false
