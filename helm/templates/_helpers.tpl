{{/*
Names and labels. fullname is <release>-<chart>, or <release> when it already contains the chart
name, cut to 48 characters: with the longest suffix the chart adds ("-worker-metrics") every object
name stays within 63, the DNS label limit.
*/}}
{{- define "lola-deft.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "lola-deft.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "lola-deft.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "lola-deft.labels" -}}
helm.sh/chart: {{ include "lola-deft.chart" . }}
{{ include "lola-deft.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lola-deft
{{- end }}

{{/* Labels that select this release's pods; add app.kubernetes.io/component for one role. */}}
{{- define "lola-deft.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lola-deft.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "lola-deft.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret holding the database credentials: the user's, or the one this chart creates. */}}
{{- define "lola-deft.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "lola-deft.fullname" .) }}
{{- end }}
{{- end }}

{{- define "lola-deft.dataClaimName" -}}
{{- .Values.data.persistence.existingClaim | default (printf "%s-data" (include "lola-deft.fullname" .)) }}
{{- end }}

{{/* The port Actuator (and so Prometheus) answers on. */}}
{{- define "lola-deft.metricsPort" -}}
{{- if .Values.metrics.managementPort }}{{ .Values.metrics.managementPort }}{{ else }}8080{{ end }}
{{- end }}

{{/*
Checks the schema cannot express. Included by every template that needs a database, so that
`helm template` and `helm install` stop with one clear message instead of a pod that crash-loops.
*/}}
{{- define "lola-deft.validate" -}}
{{- if not .Values.database.url }}
{{- fail "database.url is required: this chart runs no PostgreSQL. Set --set database.url=jdbc:postgresql://HOST:5432/DB with database.username and database.password, or database.existingSecret (see helm/README.md)." }}
{{- end }}
{{- if and (not .Values.database.existingSecret) (or (not .Values.database.username) (not .Values.database.password)) }}
{{- fail "database.username and database.password are required unless database.existingSecret names a Secret with the credentials." }}
{{- end }}
{{- if and .Values.api.autoscaling.enabled (gt (int .Values.api.autoscaling.minReplicas) (int .Values.api.autoscaling.maxReplicas)) }}
{{- fail (printf "api.autoscaling.minReplicas (%d) must not exceed api.autoscaling.maxReplicas (%d)." (int .Values.api.autoscaling.minReplicas) (int .Values.api.autoscaling.maxReplicas)) }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) (add 30 (int .Values.preStopSleepSeconds)) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds (%d) plus the app's 30 s shutdown phase." (int .Values.terminationGracePeriodSeconds) (int .Values.preStopSleepSeconds)) }}
{{- end }}
{{- end }}

{{/*
One Deployment for a role. Called with (dict "root" $ "role" "api" "values" .Values.api).
API and workers differ only in the role, their resources, replicas and scheduling.
*/}}
{{- define "lola-deft.deployment" -}}
{{- $root := .root }}
{{- $role := .role }}
{{- $v := .values }}
{{- $metricsPort := include "lola-deft.metricsPort" $root }}
{{- $autoscaled := and (eq $role "api") (dig "autoscaling" "enabled" false $v) }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "lola-deft.fullname" $root }}-{{ $role }}
  labels:
    {{- include "lola-deft.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $role }}
spec:
  {{- if not $autoscaled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "lola-deft.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ $role }}
  template:
    metadata:
      labels:
        {{- include "lola-deft.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $role }}
      annotations:
        # Roll the pods when their configuration or credentials change.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if not $root.Values.database.existingSecret }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $metricsPort | quote }}
        prometheus.io/path: /actuator/prometheus
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # The app never talks to the Kubernetes API.
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ $role }}
          image: {{ include "lola-deft.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            {{- if $root.Values.metrics.managementPort }}
            - name: management
              containerPort: {{ $root.Values.metrics.managementPort }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "lola-deft.fullname" $root }}
          env:
            - name: LOLADEFT_ROLE
              value: {{ $role }}
            - name: SPRING_DATASOURCE_USERNAME
              valueFrom:
                secretKeyRef:
                  name: {{ include "lola-deft.databaseSecretName" $root }}
                  key: {{ ternary $root.Values.database.existingSecretKeys.username "username" (ne $root.Values.database.existingSecret "") }}
            - name: SPRING_DATASOURCE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ include "lola-deft.databaseSecretName" $root }}
                  key: {{ ternary $root.Values.database.existingSecretKeys.password "password" (ne $root.Values.database.existingSecret "") }}
            {{- with $root.Values.auth.apiKeys.existingSecret }}
            - name: LOLADEFT_AUTH_API_KEYS
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: api-keys
            {{- end }}
            {{- range $name, $value := $v.env }}
            - name: {{ $name }}
              value: {{ $value | toString | quote }}
            {{- end }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "{{ $root.Values.preStopSleepSeconds }}"]
          startupProbe:
            httpGet:
              path: /livez
              port: http
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /livez
              port: http
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: djl-cache
              mountPath: {{ $root.Values.djlCache.mountPath }}
            - name: data
              mountPath: {{ $root.Values.data.mountPath }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        - name: djl-cache
          emptyDir:
            sizeLimit: {{ $root.Values.djlCache.sizeLimit }}
        - name: data
          {{- if $root.Values.data.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "lola-deft.dataClaimName" $root }}
          {{- else }}
          emptyDir:
            sizeLimit: {{ $root.Values.data.sizeLimit }}
          {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
