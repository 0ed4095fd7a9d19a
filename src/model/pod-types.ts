/**
 * The subset of the Kubernetes pod API the sidecar renderer reads and writes, as plain JSON data
 * (keys as Kubernetes spells them). No cdk8s types: these functions are pure and unit-testable, and
 * their output is compared field by field with the pods `istioctl kube-inject` produces.
 *
 * @module
 */

/** `EnvVar`. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly resourceFieldRef?: { readonly resource: string };
  };
}

/** `ContainerPort`. */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

/** `HTTPGetAction`. */
export interface HttpGetAction {
  readonly path?: string;
  readonly port: number | string;
  readonly scheme?: string;
}

/** `Probe` (HTTP, TCP and exec handlers; the rewrite only touches HTTP ones). */
export interface Probe {
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: { readonly port: number | string };
  readonly exec?: { readonly command: readonly string[] };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
}

/** `ResourceRequirements` with quantities as strings (`"100m"`, `"1Gi"`). */
export interface ResourceRequirements {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/** `SecurityContext` (container level). */
export interface SecurityContext {
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly privileged?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
}

/** `VolumeMount`. */
export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

/** `LifecycleHandler` with an exec action (the only kind the injector writes). */
export interface ExecHandler {
  readonly exec: { readonly command: readonly string[] };
}

/** `Container`. */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly command?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly ports?: readonly ContainerPort[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: { readonly postStart?: ExecHandler; readonly preStop?: ExecHandler };
  readonly resources?: ResourceRequirements;
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly VolumeMount[];
  /** `Always` makes an init container a native sidecar (Kubernetes 1.28+). */
  readonly restartPolicy?: string;
}

/** `KeyToPath`. */
export interface KeyToPath {
  readonly key: string;
  readonly path: string;
}

/** `Volume` (the sources the injector and the standalone identity use). */
export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string };
  readonly downwardAPI?: { readonly items: readonly { readonly path: string; readonly fieldRef: { readonly fieldPath: string } }[] };
  readonly projected?: {
    readonly sources: readonly {
      readonly serviceAccountToken?: { readonly audience?: string; readonly expirationSeconds?: number; readonly path: string };
    }[];
  };
  readonly configMap?: { readonly name: string; readonly optional?: boolean };
  readonly secret?: { readonly secretName: string; readonly items?: readonly KeyToPath[]; readonly optional?: boolean };
}

/** `ObjectMeta` of a pod template. */
export interface PodMetadata {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** `PodSpec` (the fields injection touches; others pass through untouched). */
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly serviceAccountName?: string;
  readonly [other: string]: unknown;
}

/** `PodTemplateSpec`. */
export interface PodTemplate {
  readonly metadata: PodMetadata;
  readonly spec: PodSpec;
}
