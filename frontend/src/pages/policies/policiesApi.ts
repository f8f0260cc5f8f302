/**
 * Policies on node use over the REST API (admins only): each team's allow-lists and required
 * `sensitive` marks, and the instance's data-loss-prevention groups. The shapes mirror nodes/api.py.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";

export type DlpGroup = "business" | "non_business" | "blocked";

export interface TeamPolicy {
  team: { id: number; name: string };
  /** Node types the team may use; `trigger.*` / `transform.*` allow a whole category. Empty: every type. */
  allowed_node_types: string[];
  /** Hosts action.http and action.webhook may call; `*.example.com` allows its subdomains. Empty: any. */
  allowed_hosts: string[];
  /** Node types whose nodes must be marked sensitive. */
  require_sensitive: string[];
  updated_at: string | null;
  updated_by: string | null;
}

export type TeamPolicyChange = Pick<TeamPolicy, "allowed_node_types" | "allowed_hosts" | "require_sensitive">;

export interface DlpPolicy {
  /** Types that move no data in or out: outside DLP unless classified. */
  exempt: string[];
  /** Only the types an admin classified; the rest take `default_group` or are exempt. */
  classification: Record<string, DlpGroup>;
  default_group: DlpGroup;
  /** Every installed node type → its group now, or `exempt` (outside DLP). */
  effective: Record<string, DlpGroup | "exempt">;
  updated_at: string | null;
  updated_by: string | null;
}

export const DLP_GROUP_LABELS: Record<DlpGroup, string> = {
  business: "Business",
  non_business: "Non-business",
  blocked: "Blocked",
};

const keys = {
  team: (id: number) => ["policies", "team", id] as const,
  dlp: ["policies", "dlp"] as const,
};

export const policiesApi = {
  team: (id: number) => api.get<TeamPolicy>(`/teams/${id}/policy`),
  saveTeam: (id: number, change: TeamPolicyChange) => api.put<TeamPolicy>(`/teams/${id}/policy`, change),
  dlp: () => api.get<DlpPolicy>("/policies/dlp"),
  saveDlp: (change: Pick<DlpPolicy, "classification" | "default_group">) => api.put<DlpPolicy>("/policies/dlp", change),
};

export function useTeamPolicy(id: number | null) {
  return useQuery({ queryKey: keys.team(id ?? 0), queryFn: () => policiesApi.team(id!), enabled: id !== null });
}

export function useSaveTeamPolicy(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: TeamPolicyChange) => policiesApi.saveTeam(id, change),
    onSuccess: (saved) => client.setQueryData(keys.team(id), saved),
  });
}

export function useDlpPolicy() {
  return useQuery({ queryKey: keys.dlp, queryFn: policiesApi.dlp });
}

export function useSaveDlpPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: policiesApi.saveDlp,
    onSuccess: (saved) => client.setQueryData(keys.dlp, saved),
  });
}
