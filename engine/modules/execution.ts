/** k6/execution: vu, scenario, instance, test (abort, options). */
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { TestAbortError } from '../errors.ts';

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  const host = st.host;
  const inIteration = (what: string) => {
    if (!st.scenario)
      throw new Error(`exec.scenario.${what} is only available while a scenario runs (not in init, setup or teardown)`);
    return st.scenario;
  };
  const tagsProxy = new Proxy(st.vuTags, {
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      target[key] = String(value);
      st.invalidateTags();
      return true;
    },
    deleteProperty(target, key) {
      delete target[key as string];
      st.invalidateTags();
      return true;
    },
  });
  const vuApi = {
    get idInInstance() {
      return st.idInInstance;
    },
    get idInTest() {
      return st.idInTest;
    },
    get iterationInInstance() {
      return st.iterationInInstance;
    },
    get iterationInScenario() {
      return st.iterationInScenario;
    },
    get tags() {
      return tagsProxy;
    },
    metrics: {
      get tags() {
        return tagsProxy;
      },
      metadata: {},
    },
  };
  const scenario = {
    get name() {
      return inIteration('name').config.name;
    },
    get executor() {
      return inIteration('executor').config.executor;
    },
    get startTime() {
      return inIteration('startTime').startEpochMs;
    },
    get progress() {
      return inIteration('progress').progress();
    },
    get iterationInInstance() {
      inIteration('iterationInInstance');
      return st.iterationInInstance;
    },
    get iterationInTest() {
      inIteration('iterationInTest');
      return st.iterationInTest;
    },
  };
  const instance = {
    get iterationsInterrupted() {
      return host.instance.iterationsInterrupted;
    },
    get iterationsCompleted() {
      return host.instance.iterationsCompleted;
    },
    get vusActive() {
      return host.instance.vusActive;
    },
    get vusInitialized() {
      return host.instance.vusInitialized;
    },
    get currentTestRunDuration() {
      return host.instance.testStartEpoch ? Date.now() - host.instance.testStartEpoch : 0;
    },
  };
  const test = {
    abort(message?: string): never {
      if (st.phaseNow === 'init') throw new Error('exec.test.abort() cannot be called in the init context');
      throw new TestAbortError(message ? `test aborted: ${message}` : 'test aborted');
    },
    get options() {
      return JSON.parse(JSON.stringify(host.options.raw)) as unknown;
    },
  };
  const api = { vu: vuApi, scenario, instance, test };
  return { ...api, default: api };
};
