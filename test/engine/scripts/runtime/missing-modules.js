// k6 modules the Node engine does not implement: refused at start, each named.
import { browser } from 'k6/browser';
import grpc from 'k6/net/grpc';

export default function () {
  browser.newPage();
  grpc.Client();
}
